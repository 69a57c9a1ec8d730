import CNNLabData
import CNNLabEngine
import Testing

@Suite struct XOGeneratorTests {
  /// The lecture's 9x9 X ("2 D CONV" slide), -1 background and +1 stroke.
  static let lectureX: [[Float]] = [
    [-1, -1, -1, -1, -1, -1, -1, -1, -1],
    [-1, 1, -1, -1, -1, -1, -1, 1, -1],
    [-1, -1, 1, -1, -1, -1, 1, -1, -1],
    [-1, -1, -1, 1, -1, 1, -1, -1, -1],
    [-1, -1, -1, -1, 1, -1, -1, -1, -1],
    [-1, -1, -1, 1, -1, 1, -1, -1, -1],
    [-1, -1, 1, -1, -1, -1, 1, -1, -1],
    [-1, 1, -1, -1, -1, -1, -1, 1, -1],
    [-1, -1, -1, -1, -1, -1, -1, -1, -1],
  ]

  /// The matching O: a one-pixel ring of radius 3 in the same 7x7 box as the X.
  static let ringO: [[Float]] = [
    [-1, -1, -1, -1, -1, -1, -1, -1, -1],
    [-1, -1, -1, 1, 1, 1, -1, -1, -1],
    [-1, -1, 1, -1, -1, -1, 1, -1, -1],
    [-1, 1, -1, -1, -1, -1, -1, 1, -1],
    [-1, 1, -1, -1, -1, -1, -1, 1, -1],
    [-1, 1, -1, -1, -1, -1, -1, 1, -1],
    [-1, -1, 1, -1, -1, -1, 1, -1, -1],
    [-1, -1, -1, 1, 1, 1, -1, -1, -1],
    [-1, -1, -1, -1, -1, -1, -1, -1, -1],
  ]

  @Test func canonicalXIsTheLectureGrid() {
    #expect(XOGenerator.canonical(.x) == Tensor(Self.lectureX))
    #expect(XOGenerator.render(.x, size: 9, pose: .identity) == Tensor(Self.lectureX))
  }

  @Test func canonicalOIsARing() {
    #expect(XOGenerator.canonical(.o) == Tensor(Self.ringO))
  }

  @Test func largerCanonicalShapesAreSymmetric() {
    for size in [9, 12, 28] {
      for shape in XOGenerator.Shape.allCases {
        let rows = XOGenerator.canonical(shape, size: size).rows
        #expect(rows == rows.reversed(), "\(shape) \(size): top-bottom")
        #expect(rows == rows.map { $0.reversed() }, "\(shape) \(size): left-right")
        #expect(rows.flatMap { $0 }.contains(1))
      }
    }
  }

  @Test func theSameSeedGivesTheSameImages() {
    let a = XOGenerator.dataset(count: 64, seed: 42)
    let b = XOGenerator.dataset(count: 64, seed: 42)
    let c = XOGenerator.dataset(count: 64, seed: 43)
    #expect(a == b)
    #expect(a.images != c.images)
  }

  @Test func setsAreBalancedAndHoldOnlyMinusOneAndOne() {
    let data = XOGenerator.dataset(count: 200, seed: 7, size: 12)
    #expect(data.images.shape == [200, 12, 12])
    #expect(data.countsPerClass(2) == [100, 100])
    #expect(data.images.scalars.allSatisfy { $0 == 1 || $0 == -1 })
    #expect(XOGenerator.dataset(count: 7, seed: 1).countsPerClass(2) == [4, 3])
    #expect(Set(data.labels.prefix(20)).count == 2, "labels are shuffled, not in blocks")
  }

  @Test func everyVariationChangesTheImages() {
    let variations: [XOGenerator.Variations] = [.translation, .scaling, .rotation, .weight, .noise]
    for variation in variations {
      let data = XOGenerator.dataset(count: 40, seed: 5, variations: variation)
      var changed = 0
      for n in 0..<data.count {
        let shape: XOGenerator.Shape = data.labels[n] == 0 ? .x : .o
        if data.images.slice(n) != XOGenerator.canonical(shape) { changed += 1 }
      }
      #expect(changed >= 10, "variation \(variation.rawValue) changed only \(changed) of 40")
    }
    let plain = XOGenerator.dataset(count: 10, seed: 5, variations: [])
    for n in 0..<plain.count {
      #expect(plain.images.slice(n) == XOGenerator.canonical(plain.labels[n] == 0 ? .x : .o))
    }
  }

  @Test func variantsStayRecognisable() {
    // Without noise: an X has ink where its strokes cross, an O is empty there, and every
    // shape stays inside the image with a sensible amount of ink.
    for size in [9, 16] {
      var generator = XOGenerator(
        seed: 99, size: size, variations: [.translation, .scaling, .rotation, .weight])
      let centre = Double(size - 1) / 2
      for n in 0..<200 {
        let shape: XOGenerator.Shape = n % 2 == 0 ? .x : .o
        let pose = generator.randomPose()
        let image = XOGenerator.render(shape, size: size, pose: pose)
        let (cx, cy) = (centre + pose.shiftX, centre + pose.shiftY)
        let nearest = image[Int(cy.rounded()), Int(cx.rounded())]
        #expect(nearest == (shape == .x ? 1 : -1), "\(shape) \(n) at size \(size): \(pose)")
        let ink = image.scalars.filter { $0 == 1 }.count
        #expect(ink >= size && ink <= size * size / 2, "\(shape) \(n): \(ink) stroke pixels")
        let (roomX, roomY) = (centre + 0.5 - abs(pose.shiftX), centre + 0.5 - abs(pose.shiftY))
        #expect(roomX >= 0 && roomY >= 0)
      }
    }
  }
}
