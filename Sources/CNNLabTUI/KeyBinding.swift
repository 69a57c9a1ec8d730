/// One entry of a screen's key table: which keys do what.
///
/// A screen keeps one `[KeyBinding<Action>]`; `update` looks keys up in it, and `KeyHintBar`
/// and `HelpOverlay` are drawn from it, so the help can never disagree with the behaviour.
public struct KeyBinding<Action: Sendable>: Sendable {
  /// The keys that trigger `action`; the first ones name it in help.
  public var keys: [Key]
  /// What the help says the keys do, for example "step back/forward".
  public var summary: String
  public var action: Action
  /// Whether the key-hint bar shows this binding (help always does).
  public var inHintBar: Bool
  /// Overrides the key names, for example "0-9" for ten digit keys.
  public var keyLabel: String?

  public init(
    _ keys: [Key], _ summary: String, action: Action, inHintBar: Bool = true, keyLabel: String? = nil
  ) {
    self.keys = keys
    self.summary = summary
    self.action = action
    self.inHintBar = inHintBar
    self.keyLabel = keyLabel
  }
}

extension Array {
  /// The action bound to `key` in this key table, if any (the first binding wins).
  public func action<Action>(for key: Key) -> Action? where Element == KeyBinding<Action> {
    first { $0.keys.contains(key) }?.action
  }
}
