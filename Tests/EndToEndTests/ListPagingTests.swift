import LoopbackHTTP
import Testing

/// `list --all` follows every form of `pagination.nextPage` it documents and refuses the rest
/// (docs/behaviour.md "Starting, cancelling, listing, fetching output").
@Suite struct ListPagingTests {
  private func page(_ id: String, next: String) -> Reply {
    .json(200, #"{"jobs":[{"jobId":"\#(id)","status":"completed"}],"pagination":{"nextPage":\#(next)}}"#)
  }

  @Test func aCursorAURLAndAPathAreFollowed() throws {
    let server = try LoopbackServer()
    server.script("/jobs", [page("a", next: #""c2/x+y==""#)])
    server.script("/jobs?cursor=c2%2Fx%2By%3D%3D", [page("b", next: #""/jobs?after=3""#)])
    server.script("/jobs?after=3", [page("c", next: #""\#(server.baseURL)/jobs?after=4""#)])
    server.script("/jobs?after=4", [page("d", next: #""5""#)])
    server.script("/jobs?page=5&after=4", [page("e", next: "null")])
    let r = try jobctl(["list", "--all", "--base-url", server.baseURL, "--field", "4.jobId"])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == "e\n")
    #expect(server.requests.count == 5)
  }

  @Test(arguments: ["true", #"{"page":2}"#, "[2]", #""0x10""#, #""1e1""#, "1e1", "-1", #""-1""#, "2.5"])
  func anythingElseIsExit6NamingIt(_ next: String) throws {
    let server = try LoopbackServer()
    server.script("/jobs", [page("a", next: next)])
    let r = try jobctl(["list", "--all", "--base-url", server.baseURL])
    #expect(r.code == 6, "\(next): \(r.stdout) \(r.stderr)")
    #expect(r.stderr.contains("pagination.nextPage \(next)"), "\(r.stderr)")
    #expect(r.stdout.isEmpty, "no page is printed as if it were all")
    #expect(server.requests.count == 1)
  }
}
