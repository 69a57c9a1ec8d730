import CNNLabEngine
import Testing

@testable import CNNLabLessons

// `fit`: a network declared in the lesson trained by the engine when the step is planned, its
// curves kept epoch by epoch, and the problems a lesson writer can make with it.

/// A lesson with a small network and one `fit` line (`FIT`), for the checker.
private func fitLesson(_ fit: String, layers: String = "avgpool 4\n  flatten\n  dense 8 relu\n  dropout 0\n  dense 10") -> String {
  """
  format 1
  title "Fit"
  network net 1x28x28
    \(layers)
  end
  step "Train"
    \(fit)
  end
  """
}

@Suite struct FitOperationTests {
  @Test func theLineReadsItsOptions() throws {
    let lesson = try LessonParser.parse(fitLesson("fit net dropout 0.25 epochs 3 rate 0.01 seed 4 -> run"), file: "f.cnnlab")
    guard case .fit(let fit)? = lesson.steps[0].operation?.kind else {
      Issue.record("not a fit: \(String(describing: lesson.steps[0].operation))")
      return
    }
    #expect(fit.network.name == "net" && fit.epochs == 3 && fit.seed == 4 && fit.rate.value == 0.01)
    #expect(fit.dropout?.description == "0.25")
  }

  @Test func anUnknownOptionIsNamed() {
    do {
      _ = try LessonParser.parse(fitLesson("fit net epoch 3 -> run"), file: "f.cnnlab")
      Issue.record("parsed")
    } catch {
      #expect(error.diagnostics.map(\.message) == ["unknown fit option 'epoch'"])
    }
  }

  @Test func aDropoutOutsideItsRangeOrWithoutALayerIsAProblem() throws {
    let outOfRange = try checkProblems(fitLesson("fit net dropout 1 epochs 2 -> run"))
    #expect(outOfRange == ["11:19: 1 is 1, but a drop probability is from 0 up to (not including) 1"])
    let noLayer = try checkProblems(fitLesson("fit net dropout 0.5 epochs 2 -> run", layers: "flatten\n  dense 10"))
    #expect(noLayer == ["8:7: 'net' has no dropout layer for 'dropout' to set"])
    let notDigits = try checkProblems(fitLesson("fit net epochs 2 -> run", layers: "flatten\n  dense 3"))
    #expect(notDigits == ["8:7: 'fit' trains a network of at most 500,000 weights that ends in 10 scores, one per digit"])
  }

  /// The curves are the engine's: the same run twice gives the same numbers, one value per epoch,
  /// the best epoch is the lowest validation loss, and the scale is the engine's 1/(1 − p).
  @Test func theCurvesComeFromTheEngine() throws {
    let spec = try NetworkSpec.parse("avgpool 4 | flatten | dense 8 relu | dropout 0.5 | dense 10")
    let curves = try FitCurves.train(spec: spec, epochs: 3, rate: 0.01, seed: 2)
    #expect(curves.trainingLoss.count == 3 && curves.validationLoss.count == 3)
    #expect(curves.trainingCount == 500 && curves.validationCount == 450)
    #expect(curves.keptScale == Dropout.keptScale(0.5) && curves.keptScale == 2)
    #expect(curves.validationLoss[curves.bestEpoch - 1] == curves.validationLoss.min())
    // Training lowers the loss from the ln 10 = 2.30 of a guess.
    #expect(curves.validationLoss.last! < 2.2)
    #expect(curves.validationAccuracy.allSatisfy { (0...100).contains($0) })
    // Another seed is another run.
    #expect(try FitCurves.train(spec: spec, epochs: 3, rate: 0.01, seed: 3) != curves)
    let plain = try NetworkSpec.parse("avgpool 4 | flatten | dense 8 relu | dropout 0 | dense 10")
    #expect(try FitCurves.train(spec: plain, epochs: 3, rate: 0.01, seed: 2).keptScale == 1)
  }
}
