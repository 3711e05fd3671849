import JobctlShapes
import JobctlSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Every colour and terminal decision in one place (as swift-format's diagnostic printer keeps
/// its `ColorMode`): whether to colour, how wide the line is, which glyphs the terminal can show.
package struct Terminal: Sendable {
  package enum Color: String, Sendable {
    case red = "31"
    case green = "32"
    case yellow = "33"
    case cyan = "36"
    case dim = "2"
    case bold = "1"
  }

  /// Whether escape sequences for colour may be written.
  package let colors: Bool
  /// Whether the terminal shows UTF-8 (spinner and bar glyphs); ASCII otherwise.
  package let unicode: Bool

  package init(colors: Bool, unicode: Bool) {
    self.colors = colors
    self.unicode = unicode
  }

  /// Colour decision: `never` and `always` win; under `auto`, `NO_COLOR` (non-empty) turns colour
  /// off, then `CLICOLOR_FORCE` (not `0`) turns it on, then `TERM=dumb` off; otherwise colour
  /// when the stream is a terminal.
  package static func colorEnabled(_ mode: OutputSettings.ColorMode, isTerminal: Bool, environment: [String: String])
    -> Bool
  {
    switch mode {
    case .never: return false
    case .always: return true
    case .auto:
      if let v = environment["NO_COLOR"], !v.isEmpty { return false }
      if let v = environment["CLICOLOR_FORCE"], !v.isEmpty, v != "0" { return true }
      if environment["TERM"] == "dumb" { return false }
      return isTerminal
    }
  }

  /// Progress decision: `auto` is the live line on a terminal whose `TERM` is not `dumb`, plain
  /// lines otherwise.
  package static func progressMode(
    _ mode: OutputSettings.ProgressMode, isTerminal: Bool, environment: [String: String]
  ) -> OutputSettings.ProgressMode {
    guard mode == .auto else { return mode }
    return isTerminal && environment["TERM"] != "dumb" ? .tty : .plain
  }

  /// UTF-8 when the locale says so (`LC_ALL`, `LC_CTYPE`, `LANG`, first one set wins).
  package static func unicode(environment: [String: String]) -> Bool {
    for key in ["LC_ALL", "LC_CTYPE", "LANG"] {
      if let v = environment[key], !v.isEmpty {
        let l = Text.lowercased(v)
        return l.contains("utf-8") || l.contains("utf8")
      }
    }
    return false
  }

  package func paint(_ text: String, _ color: Color) -> String {
    colors ? "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m" : text
  }

  /// The colour a state is shown in.
  package func paint(state: JobState) -> String {
    switch state {
    case .completed: return paint(state.rawValue, .green)
    case .failed: return paint(state.rawValue, .red)
    case .canceled: return paint(state.rawValue, .yellow)
    case .pending, .running: return paint(state.rawValue, .cyan)
    }
  }

  /// Columns of the terminal on `fd` (TIOCGWINSZ), else `COLUMNS`, else 80.
  package static func columns(fd: Int32, environment: [String: String]) -> Int {
    terminalColumns(fd: fd) ?? environmentColumns(environment) ?? 80
  }

  /// Columns of the terminal on `fd` (TIOCGWINSZ); nil when `fd` is no terminal.
  package static func terminalColumns(fd: Int32) -> Int? {
    var size = winsize()
    guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
  }

  /// `COLUMNS`, when it is a positive number.
  static func environmentColumns(_ environment: [String: String]) -> Int? {
    environment["COLUMNS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
  }

  /// The width help is wrapped to: `COLUMNS` (the user's word wins), else the terminal's, else 80;
  /// at least 40, so that a tiny value still leaves words room.
  package static func helpWidth(environment: [String: String], terminal: Int?) -> Int {
    max(40, environmentColumns(environment) ?? terminal ?? 80)
  }
}
