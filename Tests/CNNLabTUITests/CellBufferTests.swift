import CNNLabTUI
import Testing

@Suite struct CellBufferTests {
  @Test func putClipsAtTheBufferEdges() {
    var buffer = CellBuffer(width: 5, height: 2, fill: "x")
    let end = buffer.put("abcdefg", x: 2, y: 0)
    buffer.put("hello", x: -2, y: 1, role: .accent)
    buffer.put("zzz", x: 0, y: 2)  // below the buffer: nothing
    #expect(end == 9)
    #expect(buffer.lines == ["xxabc", "llo" + "xx"])
    #expect(buffer.roleMap(row: 1) == "aaann")
  }

  @Test func putClipsToTheGivenRectangle() {
    var buffer = CellBuffer(width: 6, height: 1, fill: "x")
    buffer.put("abcdef", x: 0, y: 0, clip: Rect(x: 1, y: 0, width: 3, height: 1))
    #expect(buffer.lines == ["xbcdxx"])
  }

  @Test func controlCharactersBecomeSpaces() {
    var buffer = CellBuffer(width: 4, height: 1, fill: "x")
    buffer.put("a\nb\t", x: 0, y: 0)
    #expect(buffer.lines == ["a b "])
  }

  @Test func diffListsOnlyChangedCellsInReadingOrder() {
    let before = CellBuffer(lines: ["abc", "def"])
    var after = before
    after.put("X", x: 2, y: 0)
    after.put("e", x: 1, y: 1, role: .kernelWindow)  // same character, new role
    after.put("g", x: 0, y: 1)
    let changes = after.diff(from: before).map { "\($0.x),\($0.y)=\($0.cell.character)\($0.cell.role.code)" }
    #expect(changes == ["2,0=Xn", "0,1=gn", "1,1=ek"])
    #expect(after.diff(from: after).isEmpty)
  }

  @Test func diffAgainstADifferentSizeRedrawsEverything() {
    let small = CellBuffer(width: 2, height: 1)
    let large = CellBuffer(width: 3, height: 2)
    #expect(large.diff(from: small).count == 6)
  }

  @Test func fillAndSetRoleStayInsideTheBuffer() {
    var buffer = CellBuffer(lines: ["abcd", "efgh"])
    buffer.setRole(.selection, in: Rect(x: 2, y: 1, width: 10, height: 10))
    buffer.fill(Rect(x: -1, y: 0, width: 2, height: 1), with: "#", role: .border)
    #expect(buffer.lines == ["#bcd", "efgh"])
    #expect(buffer.roleMaps == ["bnnn", "nnss"])
  }

  @Test func roleRunsGroupEqualNeighbours() {
    var buffer = CellBuffer(width: 5, height: 1)
    buffer.setRole(.kernelWindow, in: Rect(x: 1, y: 0, width: 2, height: 1))
    let runs = buffer.roleRuns(row: 0).map { "\($0.role.code)\($0.count)" }
    #expect(runs == ["n1", "k2", "n2"])
  }
}

@Suite struct RectTests {
  @Test func splitServesFixedSizesFirstThenSharesTheRest() {
    let area = Rect(x: 0, y: 2, width: 10, height: 20)
    let rows = area.split(.vertical, [.fixed(3), .fill, .fill(2), .fixed(1)])
    #expect(rows.map(\.height) == [3, 5, 11, 1])
    #expect(rows.map(\.y) == [2, 5, 10, 21])
    let columns = area.split(.horizontal, [.fixed(4), .fill], gap: 2)
    #expect(columns == [Rect(x: 0, y: 2, width: 4, height: 20), Rect(x: 6, y: 2, width: 4, height: 20)])
  }

  @Test func splitNeverOverflowsASmallArea() {
    let rows = Rect(x: 0, y: 0, width: 5, height: 4).split(.vertical, [.fixed(3), .fixed(3), .fill])
    #expect(rows.map(\.height) == [3, 1, 0])
  }

  @Test func edgesCentringAndIntersection() {
    let area = Rect(x: 1, y: 1, width: 10, height: 6)
    #expect(area.splitBottom(1).bottom == Rect(x: 1, y: 6, width: 10, height: 1))
    #expect(area.splitLeft(3).rest == Rect(x: 4, y: 1, width: 7, height: 6))
    #expect(area.centered(width: 4, height: 2) == Rect(x: 4, y: 3, width: 4, height: 2))
    #expect(area.inset(by: 1) == Rect(x: 2, y: 2, width: 8, height: 4))
    #expect(area.intersection(Rect(x: 8, y: 5, width: 10, height: 10)) == Rect(x: 8, y: 5, width: 3, height: 2))
    #expect(area.intersection(Rect(x: 20, y: 20, width: 1, height: 1)).isEmpty)
  }
}
