import Foundation
import LoopbackHTTP
import Testing

/// Issue 21 items 4-6: `output` only of a completed job, and what a start or a cancel says when
/// the answer is not the success it looks like.
@Suite struct OutputStateTests {
  /// The job's document at `/jobs/j1` (and `/api/...` for the named shapes), the output anywhere
  /// else; the output must never be asked for.
  private func server(_ document: String) throws -> LoopbackServer {
    let server = try LoopbackServer()
    server.setHandler { request in
      if request.path.hasSuffix("/logs") || request.path.contains("/content") || request.path.hasSuffix("/output") {
        return .json(#"{"logs": "partial\n"}"#)
      }
      return .doc(document)
    }
    return server
  }

  @Test(arguments: [
    // (shape, job, document, exit)
    ("celery-flower", "t1", #"{"task-id":"t1","state":"FAILURE","result":"ZeroDivisionError()"}"#, Int32(1)),
    ("celery-flower", "t1", #"{"task-id":"t1","state":"REVOKED","result":null}"#, 3),
    ("celery-flower", "t1", #"{"task-id":"t1","state":"STARTED","result":null}"#, 9),
    ("ray-job", "r1", #"{"submission_id":"r1","status":"FAILED","message":"exit 1"}"#, 1),
    ("ray-job", "r1", #"{"submission_id":"r1","status":"STOPPED"}"#, 3),
    ("ray-job", "r1", #"{"submission_id":"r1","status":"RUNNING"}"#, 9),
    ("staged", "j1", #"{"id":"j1","status":"failed","error":{"message":"boom"}}"#, 1),
    ("staged", "j1", #"{"id":"j1","status":"canceled"}"#, 3),
    ("staged", "j1", #"{"id":"j1","status":"running","progress":0.5}"#, 9),
    ("openai-batch", "b1", #"{"id":"b1","status":"failed","output_file_id":"f1"}"#, 1),
    ("openai-batch", "b1", #"{"id":"b1","status":"cancelled","output_file_id":"f1"}"#, 3),
    ("openai-batch", "b1", #"{"id":"b1","status":"in_progress","output_file_id":"f1"}"#, 9),
  ])
  func outputOfAJobNotCompletedFetchesNothing(_ shape: String, _ job: String, _ document: String, _ code: Int32)
    throws
  {
    let server = try server(document)
    let folder = try scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("out").path
    // Celery and staged jobs have no output URL of their own: the job's URL and a path under it.
    let own = ["ray-job", "openai-batch"].contains(shape)
    let url = own ? [] : ["--output-url", shape == "staged" ? "{url}/output" : "{url}"]
    let r = try jobctl(["output", job, "-o", file, "--dialect", shape, "--base-url", server.baseURL] + url)
    #expect(r.code == code, "\(r.stderr)")
    #expect(r.stdout.isEmpty, "\(r.stdout)")
    #expect(r.stderr.contains("jobctl: error:"), "\(r.stderr)")
    #expect(r.stderr.contains(job), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: file))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    // One poll; the output itself never asked for.
    #expect(server.requests.count == 1, "\(server.requests.map(\.target))")
    #expect(server.requests.allSatisfy { !$0.path.hasSuffix("/output") })
  }

  @Test func outputOfACompletedJobIsFetchedAfterOnePoll() throws {
    let server = try server(#"{"submission_id":"r1","status":"SUCCEEDED"}"#)
    let r = try jobctl(["output", "r1", "--dialect", "ray-job", "--base-url", server.baseURL])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == "partial\n")
    #expect(server.requests.map(\.target) == ["/api/jobs/r1", "/api/jobs/r1/logs"])
  }
}
