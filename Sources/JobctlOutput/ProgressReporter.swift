import JobctlEngine
import JobctlShapes
import JobctlSupport

/// Shows a wait's progress: plain lines, the live line, or nothing on stderr, and with
/// `--format ndjson` one event per line on stdout.
///
/// Plain mode is the one for logs: a timestamped line per change, a heartbeat line after 60 s
/// without one, never a control character (server text goes through `Text.oneLine`). The live
/// line redraws at most 10 times a second, fits the terminal's width and is cleared before
/// anything else is written.
package final class ProgressReporter {
  private let diagnostics: Diagnostics
  private let stdout: TextSink
  private let clock: Clock
  private let mode: OutputSettings.ProgressMode
  /// The format's event lines on stdout (nil: none).
  private let eventLine: (@Sendable (StreamedEvent, String, Double) -> String)?
  private let terminal: Terminal
  private let columns: () -> Int
  private let heartbeat: Double = 60

  private var job = ""
  private var snapshot: JobSnapshot?
  private var notice: String?
  private var startedAt: Double
  private var lastLineAt: Double
  private var lastChangeAt: Double
  private var lastDrawAt = -1.0
  private var frame = 0
  private var eta = EtaEstimator()
  private var lineShown = false
  /// With several jobs: how many, and the last state of each.
  private var expected = 1
  /// By job: its state's name, or "gone" (Presenter.stateName), as the summary names it.
  private var states: [String: String] = [:]

  package init(
    diagnostics: Diagnostics, stdout: TextSink, clock: Clock, settings: OutputSettings,
    mode: OutputSettings.ProgressMode,
    terminal: Terminal, columns: @escaping () -> Int
  ) {
    self.diagnostics = diagnostics
    self.stdout = stdout
    self.clock = clock
    self.mode = settings.quiet ? .none : mode
    self.eventLine = settings.streamsEvents ? settings.format.eventLine : nil
    self.terminal = terminal
    self.columns = columns
    self.startedAt = clock.monotonic
    self.lastLineAt = clock.monotonic
    self.lastChangeAt = clock.monotonic
  }

  /// How often the poll loop's sleeps should call `tick()`; nil when nothing needs ticking.
  package var tickInterval: Double? {
    switch mode {
    case .tty: return 0.1
    case .plain: return 1
    case .auto, .none: return nil
    }
  }

  package func report(_ event: PollEvent, job: String) {
    self.job = job
    if let eventLine { stdout.write(eventLine(.poll(event), job, clock.wall) + "\n") }
    switch event {
    case .state(let s, _):
      snapshot = s
      notice = nil
      lastChangeAt = clock.monotonic
      states[job] = s.state.rawValue
      if let p = s.progress { eta.record(p, at: clock.monotonic) }
    case .retry(let reason, let delay, let failures):
      notice = "\(reason); retrying in \(DurationText.format(delay)) (failure \(failures))"
    case .rateLimited(let reason, let delay):
      notice = "rate limited (\(reason)); next poll in \(DurationText.format(delay))"
    }
    switch mode {
    case .plain:
      switch event {
      case .state(let s, _): plainLine(ProgressReporter.describe(s, terminal: terminal))
      case .retry, .rateLimited: plainLine(notice ?? "")
      }
    case .tty:
      draw(force: true)
    case .auto, .none:
      break
    }
  }

  /// Called while the loop sleeps: redraws the live line, or prints the plain heartbeat.
  package func tick() {
    switch mode {
    case .tty:
      draw(force: false)
    case .plain:
      if clock.monotonic - lastLineAt >= heartbeat, let s = snapshot {
        let unchanged = DurationText.format((clock.monotonic - lastChangeAt).rounded(.down))
        plainLine("still \(ProgressReporter.describe(s, terminal: terminal)) (no change for \(unchanged))")
      }
    case .auto, .none:
      break
    }
  }

  /// Announces a wait for several jobs: the live line then counts them.
  package func expect(jobs count: Int) {
    expected = count
  }

  /// One job of several has ended, as `state` (the presenter names it).
  package func ended(job: String, state: String) {
    states[job] = state
    if mode == .tty { draw(force: true) }
  }

  /// A one-off line in plain mode (`started`); the live line has no room for it.
  package func note(_ text: String, job: String) {
    self.job = job
    if mode == .plain { plainLine(text) }
  }

  /// Clears the live line so that what follows starts on a clean line.
  package func clear() {
    guard lineShown else { return }
    diagnostics.raw("\r\u{1B}[K")
    lineShown = false
  }

  private func plainLine(_ text: String) {
    lastLineAt = clock.monotonic
    diagnostics.line("[\(HTTPDate.iso8601(clock.wall))] \(Text.oneLine(job, limit: 120)): \(text)")
  }

  private func draw(force: Bool) {
    let now = clock.monotonic
    guard force || now - lastDrawAt >= 0.1 else { return }
    lastDrawAt = now
    frame += 1
    if expected > 1 {
      diagnostics.raw("\r\u{1B}[K" + aggregateLine(elapsed: now - startedAt, width: columns() - 1))
      lineShown = true
      return
    }
    let line = ProgressReporter.liveLine(
      job: job, snapshot: snapshot, notice: notice, elapsed: now - startedAt, eta: eta.remaining(now: now),
      frame: frame, width: columns() - 1, terminal: terminal)
    diagnostics.raw("\r\u{1B}[K" + line)
    lineShown = true
  }

  /// The live line of a wait for several jobs: `⠙ 12/40 ended · 3 failed · 25 running · 1m2s`.
  private func aggregateLine(elapsed: Double, width: Int) -> String {
    let spinners = terminal.unicode ? Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") : Array("|/-\\")
    let counts = Dictionary(grouping: states.values, by: { $0 }).mapValues(\.count)
    let over = [JobState.completed, .failed, .canceled].map(\.rawValue) + [Presenter.gone]
    let ended = over.reduce(0) { $0 + (counts[$1] ?? 0) }
    var parts = ["\(spinners[frame % spinners.count]) \(ended)/\(expected) ended"]
    for state in [JobState.failed.rawValue, Presenter.gone] + [JobState.canceled, .running, .pending].map(\.rawValue) {
      if let n = counts[state], n > 0 { parts.append("\(n) \(state)") }
    }
    let waiting = expected - states.count
    if waiting > 0 { parts.append("\(waiting) not seen yet") }
    parts.append(elapsed < 1 ? "0s" : DurationText.format(elapsed.rounded(.down)))
    let line = parts.joined(separator: terminal.unicode ? " · " : " - ")
    return Text.columns(line) <= width ? line : Text.prefix(line, columns: max(width, 1))
  }

  /// `running, stage processing, 45%`.
  static func describe(_ s: JobSnapshot, terminal: Terminal = Terminal(colors: false, unicode: false)) -> String {
    var parts = [terminal.paint(state: s.state)]
    if let stage = s.stage, !stage.isEmpty { parts.append("stage \(Text.oneLine(stage, limit: 120))") }
    if let phase = s.phase, !phase.isEmpty { parts.append(Text.oneLine(phase, limit: 200)) }
    if let p = s.progress { parts.append(Text.percent(p)) }
    return parts.joined(separator: ", ")
  }

  /// The live line, at most `width` columns.
  ///
  /// Spinner, job, state, stage or phase, bar, percent, elapsed time, ETA. When it does not fit,
  /// the ETA, the bar and the job go first, then the stage or phase text loses its start (its end
  /// says most); the elapsed time goes only when even a few characters of that text do not fit.
  static func liveLine(
    job: String, snapshot: JobSnapshot?, notice: String?, elapsed: Double, eta: Double?, frame: Int, width: Int,
    terminal: Terminal
  ) -> String {
    let spinners = terminal.unicode ? Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") : Array("|/-\\")
    let spinner = String(spinners[frame % spinners.count])
    let state = snapshot?.state ?? .pending
    var detail =
      notice ?? [snapshot?.stage, snapshot?.phase].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
    detail = Text.oneLine(detail, limit: 200)
    let percent = snapshot?.progress.map { Text.percent($0) }
    let separator = terminal.unicode ? " · " : " - "
    func bar(_ fraction: Double, cells: Int) -> String {
      let filled = Int((fraction * Double(cells)).rounded(.down))
      let full = terminal.unicode ? "█" : "#"
      let empty = terminal.unicode ? "░" : "-"
      return String(repeating: full, count: filled) + String(repeating: empty, count: cells - filled)
    }
    let label = Text.oneLine(job, limit: 40)
    var showJob = true
    var showBar = snapshot?.progress != nil
    var showElapsed = true
    var showEta = eta != nil
    func compose(_ detailText: String) -> (plain: Int, text: String) {
      var visible: [String] = []
      var painted: [String] = []
      func add(_ plain: String, _ colored: String? = nil) {
        visible.append(plain)
        painted.append(colored ?? plain)
      }
      add(spinner)
      if showJob { add(label) }
      add(state.rawValue, terminal.paint(state: state))
      var tail: [String] = []
      if !detailText.isEmpty { tail.append(detailText) }
      var meter: [String] = []
      if showBar, let p = snapshot?.progress { meter.append(bar(p, cells: 20)) }
      if let percent { meter.append(percent) }
      if !meter.isEmpty { tail.append(meter.joined(separator: " ")) }
      if showElapsed { tail.append(elapsed < 1 ? "0s" : DurationText.format(elapsed.rounded(.down))) }
      if showEta, let eta { tail.append("ETA " + DurationText.format(eta.rounded(.up))) }
      let head = visible.joined(separator: " ")
      let headPainted = painted.joined(separator: " ")
      let rest = tail.isEmpty ? "" : separator + tail.joined(separator: separator)
      return (Text.columns(head) + Text.columns(rest), headPainted + rest)
    }
    for step in 0..<4 {
      let attempt = compose(detail)
      if attempt.plain <= width { return attempt.text }
      switch step {
      case 0: showEta = false
      case 1: showBar = false
      case 2: showJob = false
      default: break
      }
    }
    // Still too wide: shorten the detail from its start, since its end says most (HotCRP's
    // "... phase 4/7 (7.8% better)"), keeping the elapsed time while the detail keeps a few
    // characters; only then give up the elapsed time, and the detail last.
    let mark = terminal.unicode ? "…" : "~"
    func shortened(_ text: String, by overflow: Int) -> String? {
      let keep = Text.columns(text) - overflow - Text.columns(mark)
      guard keep >= 8 else { return nil }
      return mark + String(Text.suffix(text, columns: keep).drop { $0 == " " })
    }
    let full = detail
    if let short = shortened(full, by: compose(full).plain - width) {
      detail = short
    } else {
      showElapsed = false
      let overflow = compose(full).plain - width
      detail = overflow <= 0 ? full : shortened(full, by: overflow) ?? ""
    }
    let final = compose(detail)
    if final.plain <= width { return final.text }
    return Text.prefix(spinner + " " + state.rawValue, columns: max(width, 1))
  }
}
