import CNNLabTUI
import Testing

@Suite struct PlaceholderCourseTests {
  @Test func arrowsMoveTheSelectionWithinTheMenu() {
    var course = PlaceholderCourse()
    _ = course.update(.keyPressed(.up))
    #expect(course.selected == 0)
    for _ in 0..<10 { _ = course.update(.keyPressed(.down)) }
    #expect(course.selected == course.lessons.count - 1)
  }

  @Test func enterOpensAndQGoesBackThenQuits() {
    var course = PlaceholderCourse()
    _ = course.update(.keyPressed(.down))
    #expect(course.update(.keyPressed(.enter)).isEmpty)
    #expect(course.openLesson == 1)
    #expect(course.update(.keyPressed(.char("q"))).isEmpty)
    #expect(course.openLesson == nil)
    #expect(course.update(.keyPressed(.escape)) == [.quit])
  }

  @Test func spacePlaysAndTicksAdvanceTheKernel() {
    var course = PlaceholderCourse()
    _ = course.update(.keyPressed(.enter))
    #expect(course.update(.keyPressed(.char(" "))) == [.tick(afterMilliseconds: 400)])
    _ = course.update(.keyPressed(.char("+")))
    #expect(course.update(.ticked) == [.tick(afterMilliseconds: 200)])
    #expect(course.update(.ticked) == [.tick(afterMilliseconds: 200)])
    #expect(course.frame == 2)
    #expect(course.update(.keyPressed(.char(" "))).isEmpty)
    #expect(course.update(.ticked).isEmpty)
    #expect(course.frame == 2)
  }

  @Test func helpOverlayOpensWithQuestionMarkAndAnyKeyClosesIt() {
    var course = PlaceholderCourse()
    _ = course.update(.keyPressed(.char("?")))
    var buffer = CellBuffer(width: 80, height: 24)
    course.render(into: &buffer)
    #expect(buffer.lines.contains { $0.contains("│ ↑/↓     move") })
    #expect(course.update(.keyPressed(.char("q"))).isEmpty)  // closes help, does not quit
    #expect(!course.showingHelp)
  }

  @Test func clickingAnEntryOpensIt() {
    var course = PlaceholderCourse()
    _ = course.update(.resized(width: 80, height: 24))
    var buffer = CellBuffer(width: 80, height: 24)
    course.render(into: &buffer)
    let row = buffer.lines.firstIndex { $0.contains("3  Padding and stride") }
    let y = try! #require(row)
    _ = course.update(.mouse(MouseEvent(.leftClick, x: 40, y: y)))
    #expect(course.openLesson == 2)
  }

  @Test func menuLaysOutForTheScreenSize() {
    var course = PlaceholderCourse()
    // The lesson box is 30 wide and centred; the hint bar is the last row.
    for (width, height, boxX) in [(80, 24, 25), (60, 20, 15), (40, 12, 5)] {
      _ = course.update(.resized(width: width, height: height))
      var buffer = CellBuffer(width: width, height: height)
      course.render(into: &buffer)
      #expect(buffer.lines.last?.hasPrefix(" ↑/↓ move") == true, "hint bar at the bottom of \(width)x\(height)")
      let top = buffer.lines.first { $0.contains("┌ Lessons") }
      #expect(top?.firstIndex(of: "┌").map { top!.distance(from: top!.startIndex, to: $0) } == boxX)
    }
  }
}
