/// The four response shapes jobctl speaks, and `auto`.
public enum Dialects {
  /// Vocdoni-style: `pending|completed|failed`, always HTTP 200, `error` or `errors`.
  public static let simple = Dialect(
    name: "simple",
    statusKey: "status",
    states: ["pending": .pending, "completed": .completed, "failed": .failed],
    progress: nil,
    stageKey: nil,
    updatedAtKey: nil,
    idKeys: ["jobId", "id"],
    rules: [],
    detection: [[.statusIn(["pending", "completed", "failed"])]],
    resultKeys: ["type", "result"],
    defaultJobsPath: "/jobs/{id}"
  )

  /// HotCRP's `/job`: `wait|run|done|failed`, 202 while running, `update_at`, `message_list`.
  public static let hotcrp = Dialect(
    name: "hotcrp",
    statusKey: "status",
    states: ["wait": .pending, "run": .running, "done": .completed, "failed": .failed],
    progress: .text(key: "progress"),
    stageKey: nil,
    updatedAtKey: "update_at",
    idKeys: ["job"],
    rules: [.failWhenNonZero(key: "exit_status", from: .completed)],
    detection: [
      [.statusIn(["wait", "run", "done"])],
      [.hasKey("update_at"), .hasKey("status")],
      [.hasKey("ok"), .hasKey("status")],
    ],
    resultKeys: ["exit_status", "output_mimetype", "output_size", "output_at"],
    defaultJobsPath: "/job?job={id}"
  )

  /// Staged jobs: `running|completed|failed|canceled`, `progress` in [0, 1], `stage`.
  public static let staged = Dialect(
    name: "staged",
    statusKey: "status",
    states: [
      "pending": .pending, "queued": .pending, "running": .running, "completed": .completed,
      "failed": .failed, "canceled": .canceled, "cancelled": .canceled,
    ],
    progress: .number(key: "progress", full: 1),
    stageKey: "stage",
    updatedAtKey: nil,
    idKeys: ["jobId", "id"],
    rules: [],
    detection: [
      [.statusIn(["running", "canceled", "cancelled", "queued"])],
      [.hasKey("status"), .hasKey("stage")],
      [.hasKey("status"), .hasKey("kind")],
      [.hasKey("status"), .objectAt("error")],
    ],
    resultKeys: ["kind", "result"],
    defaultJobsPath: "/jobs/{id}"
  )

  /// Bulk member imports: no status, `progress` 0..100, done at 100, failed with `errors`.
  public static let progress = Dialect(
    name: "progress",
    statusKey: nil,
    states: [:],
    progress: .number(key: "progress", full: 100),
    stageKey: nil,
    updatedAtKey: nil,
    idKeys: ["jobId", "id"],
    rules: [.stateFromProgress(failIfNonEmpty: "errors")],
    detection: [[.lacksKey("status"), .hasKey("progress"), .hasKey("total")]],
    resultKeys: ["added", "total"],
    defaultJobsPath: "/jobs/{id}"
  )

  /// Every shape, in the order `auto` tries them: the most distinctive first, `simple` last
  /// because its statuses are a subset of `staged`'s.
  public static let all: [Dialect] = [hotcrp, progress, staged, simple]

  /// The names `--dialect` accepts.
  public static let names = ["auto", "simple", "hotcrp", "staged", "progress"]

  public static func named(_ name: String) -> Dialect? {
    all.first(where: { $0.name == name })
  }

  /// The shape a document shows, or nil when none fits.
  public static func detect(_ document: JSON) -> Dialect? {
    all.first(where: { $0.matches(document) && $0.read(document) != nil })
  }
}
