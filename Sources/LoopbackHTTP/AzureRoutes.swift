/// Azure long-running operations as azure-core's own LRO test routes serve them: every request
/// needs `api-version`, which the polling URLs keep.
///
/// - `PUT /azure/things/NAME`: 201 with `Azure-AsyncOperation` (a status monitor); once it says
///   `Succeeded`, the resource is at the URL the PUT went to (`GET /azure/things/NAME`). A NAME
///   holding `location` is answered 202 (201 when it holds `created`) with only a `Location` that
///   answers 202 until done, then the result (400 when the work failed); one holding `sync` is created at once: 201 with a terminal `provisioningState`
///   (`Failed` when it holds `fail`, `Canceled` when it holds `cancel`) and no monitor.
/// - `POST /azure/things/NAME/export`: 202 with `Azure-AsyncOperation` and a `Location` where the
///   result is once the monitor says `Succeeded` (`GET /azure/exports/ID`).
/// - `POST /azure/things/NAME/restart`: 202 with `Operation-Location` only; the monitor names the
///   result in `resourceLocation` once it succeeded.
/// - `PUT /azure/things/NAME-emptymonitor`: a monitor that answers 200 with an empty body.
///
/// A NAME holding `fail` fails (its monitor says `Failed`), one holding `gone` has a resource
/// that answers 404 after the monitor succeeded.
extension SimulatorState {
  mutating func azureRoutes(_ parts: [String], _ context: Context) -> Reply? {
    guard let version = context.request.queryValue("api-version"), !version.isEmpty else {
      return NamedAPITimelines.missingAPIVersion()
    }
    let query = "?api-version=\(percentEncode(version))"
    if context.matches("PUT", "azure", "things", nil) { return putAzureThing(parts[2], query: query, context) }
    if context.matches("GET", "azure", "things", nil) { return getAzureThing(parts[2], context) }
    if context.matches("POST", "azure", "things", nil, "export")
      || context.matches("POST", "azure", "things", nil, "restart")
    {
      return startAzureAction(parts[3], on: parts[2], query: query, context)
    }
    if context.matches("GET", "azure", "operations", nil) { return azureMonitor(parts[2], query: query, context) }
    if context.matches("GET", "azure", "exports", nil) { return azureExport(parts[2], context) }
    if context.matches("GET", "azure", "results", nil) { return azureResult(parts[2], context) }
    return nil
  }

  private static var azureNotFound: Reply {
    Reply.json(
      404, SimJSON.obj(("error", .obj(("code", .string("ResourceNotFound")), ("message", .string("not found"))))).text)
  }

  /// `PUT /azure/things/NAME`: a monitor, a `Location` only, or a resource made at once, by NAME.
  private mutating func putAzureThing(_ name: String, query: String, _ context: Context) -> Reply {
    var job = create(.azureOperation, id: "azop-" + random.hex(12), type: "thing:" + name, context)
    job.fails = name.contains("fail")
    jobs[job.id] = job
    if name.contains("location") {
      // No status monitor: only a Location that answers 202 until done, then the result.
      // `created` in the name: 201, as azure-core's `/polling/location` route answers.
      let status = name.contains("created") ? 201 : 202
      return Reply(status: status, headers: [("Location", "\(baseURL)/azure/results/\(job.id)\(query)")])
    }
    if name.contains("sync") {
      let state = name.contains("fail") ? "Failed" : name.contains("cancel") ? "Canceled" : "Succeeded"
      return .json(201, NamedAPITimelines.azureThing(name, state: state).text)
    }
    let monitor = "\(baseURL)/azure/operations/\(job.id)\(query)"
    return .json(
      201, NamedAPITimelines.azureThing(name, state: "Accepted").text, headers: [("Azure-AsyncOperation", monitor)])
  }

  /// `GET /azure/things/NAME`: the resource, as the latest operation on it left it.
  private func getAzureThing(_ name: String, _ context: Context) -> Reply {
    guard
      let job = jobs.values.filter({
        $0.shape == .azureOperation && ($0.type == "thing:" + name || $0.type == "restart:" + name)
      }).max(by: {
        $0.sequence < $1.sequence
      }), !name.contains("gone")
    else { return Self.azureNotFound }
    let state: String
    switch NamedAPITimelines.phase(job, at: context.elapsed(job)) {
    case .waiting, .running: state = "Accepted"
    case .done: state = job.fails ? "Failed" : "Succeeded"
    }
    return .json(200, NamedAPITimelines.azureThing(name, state: state).text)
  }

  /// `POST /azure/things/NAME/export` or `.../restart`: 202 with the monitor (and, for an export,
  /// the `Location` of its result).
  private mutating func startAzureAction(_ action: String, on name: String, query: String, _ context: Context)
    -> Reply
  {
    let export = action == "export"
    var job = create(.azureOperation, id: "azop-" + random.hex(12), type: "\(action):" + name, context)
    job.fails = name.contains("fail")
    jobs[job.id] = job
    let monitor = "\(baseURL)/azure/operations/\(job.id)\(query)"
    guard export else { return Reply(status: 202, headers: [("Operation-Location", monitor)]) }
    return Reply(
      status: 202,
      headers: [("Azure-AsyncOperation", monitor), ("Location", "\(baseURL)/azure/exports/\(job.id)\(query)")])
  }

  /// `GET /azure/operations/ID`: the status monitor; a restart's names its result once it succeeded.
  private mutating func azureMonitor(_ id: String, query: String, _ context: Context) -> Reply {
    guard let job = job(id, shapes: [.azureOperation], context) else { return Self.azureNotFound }
    if job.type.contains("emptymonitor") { return Reply(status: 200) }
    var document = NamedAPITimelines.azureOperation(job, at: context.elapsed(job))
    if job.type.hasPrefix("restart:"), case .object(var fields) = document,
      NamedAPITimelines.phase(job, at: context.elapsed(job)) == .done, !job.fails
    {
      let name = String(job.type.dropFirst("restart:".count))
      fields.append(.init("resourceLocation", .string("\(baseURL)/azure/things/\(percentEncode(name))\(query)")))
      document = .object(fields)
    }
    return .json(200, document.text)
  }

  /// `GET /azure/exports/ID`: 202 until the export is done, then its result.
  private func azureExport(_ id: String, _ context: Context) -> Reply {
    guard let job = jobs[id], job.shape == .azureOperation else { return Self.azureNotFound }
    guard NamedAPITimelines.phase(job, at: context.elapsed(job)) == .done else { return Reply(status: 202) }
    return .json(200, SimJSON.obj(("exported", .bool(true)), ("rows", .int(42))).text)
  }

  /// `GET /azure/results/ID`: the `Location` of a PUT with no monitor.
  private mutating func azureResult(_ id: String, _ context: Context) -> Reply {
    guard let job = job(id, shapes: [.azureOperation], context) else { return Self.azureNotFound }
    guard NamedAPITimelines.phase(job, at: context.elapsed(job)) == .done else { return Reply(status: 202) }
    // A Location poll tells a failure by its status code (azure-core's LocationPolling).
    if job.fails {
      return .json(
        400,
        SimJSON.obj(("error", .obj(("code", .string("QuotaExceeded")), ("message", .string("quota exceeded"))))).text)
    }
    return .json(200, NamedAPITimelines.azureResource(job).text)
  }
}

extension NamedAPITimelines {
  /// An Azure resource as a PUT or GET of it answers.
  static func azureThing(_ name: String, state: String) -> SimJSON {
    .obj(
      ("id", .string("/azure/things/\(name)")), ("name", .string(name)),
      ("properties", .obj(("provisioningState", .string(state)))))
  }
}
