import JobctlTestSupport
import Testing

@testable import JobctlSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pipe whose ends the test holds; both closed by `close()`.
private struct TestPipe {
  var read: Int32 = -1
  var write: Int32 = -1

  init() throws {
    var fds: [Int32] = [-1, -1]
    try #require(pipe(&fds) == 0)
    read = fds[0]
    write = fds[1]
  }

  mutating func closeWrite() {
    if write >= 0 { Glibc.close(write) }
    write = -1
  }

  mutating func close() {
    closeWrite()
    if read >= 0 { Glibc.close(read) }
    read = -1
  }
}

/// `BoundedInput.read` of `fd` whole, its bytes or its failure.
private func read(
  _ fd: Int32, patience: Double?, deadline: Double?, _ interruptions: any Interruptions
) -> Result<[UInt8], BoundedInput.Failure> {
  var bytes: [UInt8] = []
  let result = BoundedInput.read(fd, patience: patience, deadline: deadline, interruptions: interruptions) {
    bytes += $0
    return true
  }
  return result.map { bytes }
}

/// `BoundedInput` waits on a pipe for the interruptions it is given, not the process's signals
/// (docs/behaviour.md "Files, pipes and standard input"); the run's deadline is given explicitly here, so
/// another test's `--timeout` cannot end these reads.
@Suite(.timeLimit(.minutes(1))) struct BoundedInputReadTests {
  @Test func aPipeIsReadToItsEndAndNothingInterruptedPaysForPending() throws {
    var p = try TestPipe()
    defer { p.close() }
    let bytes = Array("one\ntwo\n".utf8)
    #expect(bytes.withUnsafeBytes { write(p.write, $0.baseAddress, $0.count) } == bytes.count)
    p.closeWrite()
    let interruptions = try #require(FakeInterruptions())
    var chunks: [UInt8] = []
    let result = BoundedInput.read(p.read, deadline: nil, interruptions: interruptions) { chunk in
      chunks += chunk
      return true
    }
    #expect((try? result.get()) != nil)
    #expect(chunks == bytes)
    #expect(interruptions.caughtAsked >= 1)
    #expect(interruptions.pendingAsked == 0)
  }

  /// A writer that holds the pipe open and sends nothing: the read waits, and an interruption
  /// from another thread ends it at once (not the minute of patience).
  @Test func anInterruptionEndsAWaitOnAPipeThatSendsNothing() throws {
    var p = try TestPipe()
    defer { p.close() }
    let interruptions = try #require(FakeInterruptions())
    let started = BoundedInput.now
    interruptions.interrupt(SIGTERM, after: 0.2)
    let result = read(p.read, patience: 60, deadline: nil, interruptions)
    let elapsed = BoundedInput.now - started
    #expect(result == .failure(.signaled(SIGTERM)))
    #expect(elapsed >= 0.2, "the read waited for the interruption")
    #expect(elapsed < 30, "the interruption ended the wait, not the patience")
  }

  /// What only `pending` knows (stdout's reader gone) ends the wait once the wake descriptor
  /// speaks.
  @Test func aPendingInterruptionEndsTheWaitOnceTheWakeDescriptorSpeaks() throws {
    var p = try TestPipe()
    defer { p.close() }
    let interruptions = try #require(FakeInterruptions())
    interruptions.interrupt(SIGPIPE, onlyPending: true)
    let result = read(p.read, patience: nil, deadline: nil, interruptions)
    #expect(result == .failure(.signaled(SIGPIPE)))
    #expect(interruptions.pendingAsked == 1)
  }

  @Test func patienceAndTheDeadlineEndAPipeThatSendsNothing() throws {
    var p = try TestPipe()
    defer { p.close() }
    let interruptions = try #require(FakeInterruptions())
    let patient = read(p.read, patience: 0.1, deadline: nil, interruptions)
    #expect(patient == .failure(.patience(0.1)))
    let late = read(p.read, patience: 60, deadline: BoundedInput.now + 0.1, interruptions)
    #expect(late == .failure(.deadline))
    #expect(interruptions.pendingAsked == 0)
  }

  /// A regular file never blocks, so it is read without a wait, even with a signal caught.
  @Test func aRegularFileIsReadWithoutWaiting() throws {
    var template = Array("/tmp/jobctl-bounded-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    try #require(fd >= 0)
    defer {
      close(fd)
      unlink(String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    let bytes = Array("token-value\n".utf8)
    #expect(bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == bytes.count)
    let interruptions = try #require(FakeInterruptions())
    interruptions.interrupt(SIGINT)
    #expect(BoundedInput.readAll(fd, limit: 100, interruptions: interruptions) == .success(bytes))
    #expect(lseek(fd, 0, SEEK_SET) == 0)
    #expect(BoundedInput.readAll(fd, limit: 5, interruptions: interruptions) == .failure(.tooLarge))
    #expect(interruptions.caughtAsked == 0)
  }
}
