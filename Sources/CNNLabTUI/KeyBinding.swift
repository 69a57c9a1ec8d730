/// One entry of a screen's key table: which keys do what.
///
/// A screen keeps one `[KeyBinding<Action>]`; `update` looks keys up in it, and `KeyHintBar`
/// and `HelpOverlay` are drawn from it, so the help can never disagree with the behaviour. One
/// action a learner thinks of as one (faster and slower, next and previous) is one binding whose
/// keys each have their own action, so the help says it once.
public struct KeyBinding<Action: Sendable>: Sendable {
  /// The keys that trigger the binding; the first ones name it in help.
  public var keys: [Key]
  /// What the help says the keys do, for example "step back/forward".
  public var summary: String
  /// The action of each key in `keys`, or one action for all of them.
  public var actions: [Action]
  /// Whether the key-hint bar shows this binding (help always does).
  public var inHintBar: Bool
  /// Overrides the key names, for example "0-9" for ten digit keys.
  public var keyLabel: String?
  /// The same words, shortened for the hint bar (`Tab pane` for `Tab/Shift-Tab next/previous
  /// pane`); nil shows the help's key names and summary.
  public var hint: (keys: String, summary: String)?
  /// Which hints the hint bar keeps when not all fit: higher stays longer, and
  /// `FitLine.essential` (help, quit) always stays.
  public var priority: Int

  public init(
    _ keys: [Key], _ summary: String, action: Action, inHintBar: Bool = true, keyLabel: String? = nil,
    hint: (keys: String, summary: String)? = nil, priority: Int = 0
  ) {
    self.init(
      keys, summary, actions: [action], inHintBar: inHintBar, keyLabel: keyLabel, hint: hint, priority: priority)
  }

  /// A binding whose keys do different things: `actions[i]` is what `keys[i]` does.
  public init(
    _ keys: [Key], _ summary: String, actions: [Action], inHintBar: Bool = true, keyLabel: String? = nil,
    hint: (keys: String, summary: String)? = nil, priority: Int = 0
  ) {
    precondition(actions.count == 1 || actions.count == keys.count, "one action, or one per key")
    self.keys = keys
    self.summary = summary
    self.actions = actions
    self.inHintBar = inHintBar
    self.keyLabel = keyLabel
    self.hint = hint
    self.priority = priority
  }

  /// The action of the first key.
  public var action: Action { actions[0] }

  /// The action `key` triggers, if it is one of this binding's keys.
  public func action(for key: Key) -> Action? {
    guard let index = keys.firstIndex(of: key) else { return nil }
    return actions.count == keys.count ? actions[index] : actions[0]
  }
}

extension Array {
  /// The action bound to `key` in this key table, if any (the first binding wins).
  public func action<Action>(for key: Key) -> Action? where Element == KeyBinding<Action> {
    lazy.compactMap { $0.action(for: key) }.first
  }
}
