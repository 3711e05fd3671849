/// "Did you mean": the words nearest a mistyped one, by edit distance, as git suggests commands.
package enum Suggest {
  /// Edits (insert, delete, replace one Unicode scalar, or swap two neighbours) that turn `a` into
  /// `b`: "wiat" is 1 from "wait", "timout" 1 from "timeout".
  package static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars)
    let b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    // Three rows of the table: two back (for swaps), the last, and this one.
    var before = [Int](repeating: 0, count: b.count + 1)
    var last = Array(0...b.count)
    var row = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      row[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        row[j] = min(last[j] + 1, row[j - 1] + 1, last[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          row[j] = min(row[j], before[j - 2] + 1)
        }
      }
      (before, last, row) = (last, row, before)
    }
    return last[b.count]
  }

  /// The candidates nearest `word` that are near enough to be what was meant.
  ///
  /// Near enough is at most a third of the word's length (at least 1, at most 3) edits away, as
  /// git weighs a typo against the word. Several equally near are all returned, in their given order; none when nothing is near.
  package static func nearest(_ word: String, among candidates: [String]) -> [String] {
    let typed = Text.lowercased(word)
    let limit = min(3, max(1, typed.unicodeScalars.count / 3))
    var best = Int.max
    var found: [String] = []
    for candidate in candidates where candidate != word && !found.contains(candidate) {
      let d = distance(typed, Text.lowercased(candidate))
      guard d <= limit else { continue }
      if d < best {
        best = d
        found = [candidate]
      } else if d == best {
        found.append(candidate)
      }
    }
    return found
  }

  /// "; did you mean 'wait'?" ("'a' or 'b'" for two, "'a', 'b' or 'c'" for more), or "" when no
  /// candidate is near; `quote` spells each candidate as the user would type it.
  package static func didYouMean(
    _ word: String, among candidates: [String], quote: (String) -> String = { "'\($0)'" }
  ) -> String {
    let found = nearest(word, among: candidates).map(quote)
    return found.isEmpty ? "" : "; did you mean \(Text.listed(found))?"
  }
}
