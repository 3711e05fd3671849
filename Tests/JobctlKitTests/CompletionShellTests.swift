import Foundation
import Testing

/// A folder with a config file (profiles `default`, `prod:eu`, `prod-us`, a dialect `mine`) and
/// `d:ir/ca.pem`, so that values holding a colon can be completed; the shells run in it.
///
/// `fpath/` holds the zsh script as compinit finds it installed.
private let sandbox: String = {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-compl-\(UUID().uuidString)")
  try? FileManager.default.createDirectory(
    at: dir.appendingPathComponent("jobctl"), withIntermediateDirectories: true)
  try? FileManager.default.createDirectory(at: dir.appendingPathComponent("d:ir"), withIntermediateDirectories: true)
  _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("d:ir/ca.pem").path, contents: Data())
  _ = FileManager.default.createFile(
    atPath: dir.appendingPathComponent("jobctl/config").path,
    contents: Data("[default]\n[profile prod:eu]\n[profile prod-us]\n[dialect mine]\ncompleted-when = s=ok\n".utf8))
  try? FileManager.default.createDirectory(at: dir.appendingPathComponent("fpath"), withIntermediateDirectories: true)
  try? FileManager.default.copyItem(
    atPath: "\(repositoryRoot)/completions/_jobctl", toPath: dir.appendingPathComponent("fpath/_jobctl").path)
  return dir.path
}()

/// Runs a shell with `arguments` in the sandbox; its stdout lines.
private func shell(_ path: String, _ arguments: [String], line: String) throws -> [String] {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  process.currentDirectoryURL = URL(fileURLWithPath: sandbox)
  process.environment = [
    "PATH": "/usr/bin:/bin", "HOME": sandbox, "XDG_CONFIG_HOME": sandbox, "LINE": line, "LANG": "C.UTF-8",
  ]
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = FileHandle.nullDevice
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
}

/// The line's words as the shell's own parser sees them (quotes kept), plus an empty word when
/// the line ends in a space.
private func shellWords(_ line: String) -> [String] {
  var words: [String] = []
  var word = ""
  var quote: Character?
  for c in line {
    if let q = quote {
      word.append(c)
      if c == q { quote = nil }
    } else if c == " " {
      if !word.isEmpty { words.append(word) }
      word = ""
    } else {
      if c == "'" || c == "\"" { quote = c }
      word.append(c)
    }
  }
  words.append(word)
  return words
}

/// COMP_WORDS as bash makes them: the shell words, split again at `=` and `:` outside quotes,
/// each run of those characters a word of its own.
private func bashWords(_ line: String) -> [String] {
  shellWords(line).flatMap { word -> [String] in
    var parts: [String] = []
    var part = ""
    var inBreak = false
    var quote: Character?
    for c in word {
      let isBreak = quote == nil && (c == "=" || c == ":")
      if quote == nil, c == "'" || c == "\"" {
        quote = c
      } else if c == quote {
        quote = nil
      }
      if isBreak != inBreak, !part.isEmpty {
        parts.append(part)
        part = ""
      }
      inBreak = isBreak
      part.append(c)
    }
    parts.append(part)
    return parts
  }
}

/// What bash's `_jobctl` offers at the end of `line`, each as the whole word it would make.
private func bash(_ line: String) throws -> [String] {
  let words = bashWords(line)
  let quoted = words.map { "'\($0.replacingOccurrences(of: "'", with: "'\\''"))'" }.joined(separator: " ")
  let script = """
    source '\(repositoryRoot)/completions/jobctl.bash'
    COMP_LINE="$LINE"; COMP_POINT=${#LINE}; COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1)
    _jobctl; printf '%s\\n' "${COMPREPLY[@]}"
    """
  // bash replaces only what follows the last `=` or `:` of the word; put back what precedes it.
  let current = shellWords(line).last ?? ""
  let kept = current.lastIndex { $0 == "=" || $0 == ":" }.map { String(current[...$0]) } ?? ""
  return try shell("/bin/bash", ["--norc", "--noprofile", "-c", script], line: line).filter { !$0.isEmpty }
    .map { kept + $0 }
}

/// What fish offers (`complete -C`), each with its description after a tab.
private func fishLines(_ line: String) throws -> [String] {
  try shell(
    "/usr/bin/fish",
    ["--no-config", "-c", "source '\(repositoryRoot)/completions/jobctl.fish'; complete -C \"$LINE\""],
    line: line)
}

/// What fish offers, without descriptions.
private func fish(_ line: String) throws -> [String] {
  try fishLines(line).map { String($0.split(separator: "\t", omittingEmptySubsequences: false)[0]) }
}

/// How the zsh script is loaded: sourced (`source <(jobctl completion zsh)`), or installed in
/// `$fpath` and autoloaded as the function `_jobctl` the first time it completes.
enum ZshLoading: CaseIterable, Sendable { case sourced, autoloaded }

/// What zsh's `_jobctl` adds, captured: `compadd` and the helpers it is called through are
/// replaced by functions that print the matches for PREFIX, as the completion system would list
/// them, with IPREFIX (the `--name=` part taken off) in front.
private func zsh(_ line: String, _ loading: ZshLoading) throws -> [String] {
  let words = shellWords(line)
  let quoted = words.map { "'\($0.replacingOccurrences(of: "'", with: "'\\''"))'" }.joined(separator: " ")
  let load =
    loading == .sourced
    ? "source '\(repositoryRoot)/completions/_jobctl'" : "fpath=(\(sandbox)/fpath); autoload -Uz _jobctl"
  let script = """
    words=(\(quoted)); CURRENT=${#words}; PREFIX=${words[CURRENT]}; IPREFIX=""
    compadd() {
      local -a got; local arr=""
      while (( $# )); do
        case $1 in
          (--) shift; break ;;
          (-a) arr=1; shift ;;
          (-[JVXxPSpsiIMrRFWEoDOd]) shift 2 ;;
          (-*) shift ;;
          (*) break ;;
        esac
      done
      if [[ -n $arr ]]; then got=(${(P)1}); else got=("$@"); fi
      local w; for w in $got; do [[ $w == ${PREFIX}* ]] && print -r -- "$IPREFIX$w"; done
    }
    _describe() { local -a names; names=(${${(P)${@[-1]}}%%:*}); compadd -- $names }
    _files() { local -a f; f=(${PREFIX}*(N)); compadd -- $f }
    _message() { : }
    compdef() { : }
    \(load)
    _jobctl
    """
  return try shell("/usr/bin/zsh", ["-f", "-c", script], line: line)
}

/// Every option value and command argument completes the same in bash, zsh and fish, before and
/// after the command, as `--name value` and `--name=value`, and with colons in values.
@Suite struct CompletionShellTests {
  static let dialects = [
    "anthropic-batch", "auto", "aws-athena", "aws-glue", "aws-sfn", "azure-operation", "celery-flower", "github-run",
    "google-operation", "hotcrp", "http-202", "mine", "openai-batch", "progress", "ray-job", "replicate", "simple",
    "slurm", "staged",
  ]
  static let commands = [
    "cancel", "completion", "explain", "help", "list", "output", "start", "status", "version", "wait",
  ]
  static let cases: [(line: String, expected: [String])] = [
    ("jobctl ", commands),
    ("jobctl st", ["start", "status"]),
    ("jobctl --dialect ", dialects),
    ("jobctl --dialect=", dialects.map { "--dialect=\($0)" }),
    ("jobctl --dialect=h", ["--dialect=hotcrp", "--dialect=http-202"]),
    ("jobctl wait j1 --dialect m", ["mine"]),
    ("jobctl --dialect=mi", ["--dialect=mine"]),
    ("jobctl wait j1 --dialect s", ["simple", "slurm", "staged"]),
    ("jobctl wait j1 --dialect aw", ["aws-athena", "aws-glue", "aws-sfn"]),
    ("jobctl wait --dialect=s", ["--dialect=simple", "--dialect=slurm", "--dialect=staged"]),
    ("jobctl --format ", ["json", "ndjson", "text"]),
    ("jobctl --format=n", ["--format=ndjson"]),
    ("jobctl --progress p", ["plain"]),
    ("jobctl completion ", ["bash", "fish", "zsh"]),
    ("jobctl help ", (commands + ["dialects", "exit-codes"]).sorted()),
    ("jobctl help e", ["exit-codes", "explain"]),
    ("jobctl --json help e", ["exit-codes", "explain"]),
    ("jobctl --profile x wa", ["wait"]),
    ("jobctl list --al", ["--all"]),
    ("jobctl status --al", []),
    ("jobctl --al", ["--all"]),
    ("jobctl -H 'A: b' --col", ["--color"]),
    ("jobctl --base-url http://h:80 --progress=p", ["--progress=plain"]),
    ("jobctl --profile ", ["default", "prod-us", "prod:eu"]),
    ("jobctl --profile prod:", ["prod:eu"]),
    ("jobctl wait --profile=prod:e", ["--profile=prod:eu"]),
    ("jobctl wait --cacert d:ir/", ["d:ir/ca.pem"]),
    ("jobctl --cacert=d:ir/", ["--cacert=d:ir/ca.pem"]),
  ]

  @Test(arguments: cases)
  func bashZshAndFishAgree(_ line: String, _ expected: [String]) throws {
    #expect(try bash(line).sorted() == expected, "bash: \(line)")
    for loading in ZshLoading.allCases {
      #expect(try zsh(line, loading).sorted() == expected, "zsh (\(loading)): \(line)")
    }
    #expect(try fish(line).sorted() == expected, "fish: \(line)")
  }

  /// With compinit loaded, both ways of loading the script register `_jobctl` for `jobctl`.
  @Test(arguments: ZshLoading.allCases)
  func zshRegistersTheFunction(_ loading: ZshLoading) throws {
    let load =
      loading == .sourced
      ? "autoload -Uz compinit; compinit -u -D; source <(cat '\(repositoryRoot)/completions/_jobctl')"
      : "fpath=(\(sandbox)/fpath $fpath); autoload -Uz compinit; compinit -u -D"
    #expect(try shell("/usr/bin/zsh", ["-f", "-c", load + "; print -r -- ${_comps[jobctl]}"], line: "") == ["_jobctl"])
  }

  /// fish prints an option's description beside the option, not beside each of its values.
  @Test func fishDescribesAnOptionOnce() throws {
    for line in ["jobctl --dialect ", "jobctl wait j1 --format ", "jobctl --profile ", "jobctl --color "] {
      let values = try fishLines(line)
      #expect(!values.isEmpty, "\(line)")
      #expect(values.allSatisfy { !$0.contains("\t") }, "\(line): \(values)")
    }
    let option = try fishLines("jobctl --diale")
    #expect(option.count == 1)
    #expect(option.first?.hasPrefix("--dialect\tResponse shape") == true)
  }
}
