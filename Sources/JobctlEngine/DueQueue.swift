/// A binary min-heap of times, each naming an index (a job, a host): what is due next in
/// O(log n), with no scan of the rest.
///
/// Entries are never removed from the middle: an entry that no longer holds (its job ended, or
/// was rescheduled) is dropped by whoever pops it, which checks it against the job's own state.
struct DueQueue {
  private var times: [Double] = []
  private var indices: [Int32] = []

  var isEmpty: Bool { times.isEmpty }
  var count: Int { times.count }

  /// The earliest entry.
  var first: (time: Double, index: Int)? {
    times.isEmpty ? nil : (times[0], Int(indices[0]))
  }

  mutating func reserve(_ n: Int) {
    times.reserveCapacity(n)
    indices.reserveCapacity(n)
  }

  mutating func push(_ time: Double, _ index: Int) {
    times.append(time)
    indices.append(Int32(truncatingIfNeeded: index))
    var child = times.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard times[child] < times[parent] else { break }
      times.swapAt(child, parent)
      indices.swapAt(child, parent)
      child = parent
    }
  }

  /// Removes and returns the earliest entry.
  @discardableResult
  mutating func pop() -> (time: Double, index: Int)? {
    guard let top = first else { return nil }
    let last = times.count - 1
    times.swapAt(0, last)
    indices.swapAt(0, last)
    times.removeLast()
    indices.removeLast()
    var parent = 0
    let n = times.count
    while true {
      let left = 2 * parent + 1
      guard left < n else { break }
      var smallest = left
      if left + 1 < n && times[left + 1] < times[left] { smallest = left + 1 }
      guard times[smallest] < times[parent] else { break }
      times.swapAt(smallest, parent)
      indices.swapAt(smallest, parent)
      parent = smallest
    }
    return top
  }

  mutating func removeAll() {
    times.removeAll()
    indices.removeAll()
  }
}

/// A first-in, first-out queue of job indices with O(1) ends (jobs due but held by their host),
/// each with what it holds while it waits (its request).
struct IndexQueue<Held> {
  private var items: [(index: Int32, held: Held)] = []
  private var head = 0

  var isEmpty: Bool { head == items.count }

  /// The index that `popFirst` would return, left in place.
  var first: Int? { head < items.count ? Int(items[head].index) : nil }

  mutating func append(_ index: Int, _ held: Held) {
    items.append((Int32(truncatingIfNeeded: index), held))
  }

  mutating func popFirst() -> (index: Int, held: Held)? {
    guard head < items.count else { return nil }
    let (index, held) = items[head]
    head += 1
    if head == items.count {
      items.removeAll(keepingCapacity: true)
      head = 0
    } else if head >= 1024 && head * 2 >= items.count {
      items.removeFirst(head)
      head = 0
    }
    return (Int(index), held)
  }
}
