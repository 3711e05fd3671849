# bash completion for jobctl (generated from its command table; do not edit)
_jobctl_profiles() (
  f="${JOBCTL_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/jobctl/config}"; [ -r "$f" ] && sed -n -e 's/^[[:space:]]*\[[[:space:]]*profile[[:space:]][[:space:]]*\([^] ]*\)[[:space:]]*\].*/\1/p' -e 's/^[[:space:]]*\[[[:space:]]*default[[:space:]]*\].*/default/p' "$f"
)
_jobctl_dialects() (
  f="${JOBCTL_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/jobctl/config}"; [ -r "$f" ] && sed -n -e 's/^[[:space:]]*\[[[:space:]]*dialect[[:space:]][[:space:]]*\([^] ]*\)[[:space:]]*\].*/\1/p' "$f"
)

# The words up to the cursor as the user typed them: bash splits `--dialect=h` and
# `http://host` at COMP_WORDBREAKS, and words with no space between them are joined again.
_jobctl_words() {
  local line="${COMP_LINE-}" w rest i
  _jobctl_w=()
  if [[ -z ${COMP_LINE+set} ]]; then
    _jobctl_w=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
    return
  fi
  line="${line:0:${COMP_POINT:-${#line}}}"
  for ((i = 0; i <= COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]-}"
    rest="${line#"${line%%[![:space:]]*}"}"
    if ((i > 0)) && [[ ${#rest} -eq ${#line} ]]; then
      _jobctl_w[${#_jobctl_w[@]}-1]+="${rest:0:${#w}}"
    else
      _jobctl_w+=("${rest:0:${#w}}")
    fi
    line="${rest:${#w}}"
  done
}

# COMPREPLY holds completions of the end ($2) of the whole word $1; bash replaces only what
# follows the word's last `=` or `:` (when COMP_WORDBREAKS has them), so that part is cut.
_jobctl_reply() {
  local head="${1:0:${#1}-${#2}}" cls="" pre="" keep i
  [[ $COMP_WORDBREAKS == *=* ]] && cls+="="
  [[ $COMP_WORDBREAKS == *:* ]] && cls+=":"
  if [[ -n $cls && $1 == *[$cls]* ]]; then
    keep="${1%[$cls]*}"
    pre="${1:0:${#keep}+1}"
  fi
  for i in "${!COMPREPLY[@]}"; do
    COMPREPLY[i]="$head${COMPREPLY[i]}"
    COMPREPLY[i]="${COMPREPLY[i]#"$pre"}"
  done
}

_jobctl_values() {
  case "$1" in
    --timeout) COMPREPLY=() ;;
    --interval) COMPREPLY=() ;;
    --max-interval) COMPREPLY=() ;;
    --until) COMPREPLY=() ;;
    --max-attempts) COMPREPLY=() ;;
    --max-errors) COMPREPLY=() ;;
    --stale-after) COMPREPLY=() ;;
    -o|--output)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    --as) mapfile -t COMPREPLY < <(compgen -W "body string json" -- "$2") ;;
    --format) mapfile -t COMPREPLY < <(compgen -W "text json ndjson" -- "$2") ;;
    --field) COMPREPLY=() ;;
    --progress) mapfile -t COMPREPLY < <(compgen -W "auto tty plain none" -- "$2") ;;
    --color) mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$2") ;;
    --base-url) COMPREPLY=() ;;
    --token-file)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    -H|--header) COMPREPLY=() ;;
    --dialect) mapfile -t COMPREPLY < <(compgen -W "auto simple hotcrp staged progress github-run google-operation azure-operation http-202 openai-batch replicate anthropic-batch slurm ray-job celery-flower aws-sfn aws-athena aws-glue $(_jobctl_dialects)" -- "$2") ;;
    --jobs-path) COMPREPLY=() ;;
    --cacert)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    --cert)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    --key)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    --connect-timeout) COMPREPLY=() ;;
    --request-timeout) COMPREPLY=() ;;
    --max-connections) COMPREPLY=() ;;
    --config)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    --profile) mapfile -t COMPREPLY < <(compgen -W "$(_jobctl_profiles)" -- "$2") ;;
    --unix-socket)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    --completed-when) COMPREPLY=() ;;
    --failed-when) COMPREPLY=() ;;
    --canceled-when) COMPREPLY=() ;;
    --pending-when) COMPREPLY=() ;;
    --running-when) COMPREPLY=() ;;
    --warn-when) COMPREPLY=() ;;
    --status-path) COMPREPLY=() ;;
    --progress-path) COMPREPLY=() ;;
    --stage-path) COMPREPLY=() ;;
    --message-path) COMPREPLY=() ;;
    --updated-path) COMPREPLY=() ;;
    --id-path) COMPREPLY=() ;;
    --url-path) COMPREPLY=() ;;
    --list-path) COMPREPLY=() ;;
    --poll) COMPREPLY=() ;;
    --poll-data) COMPREPLY=() ;;
    --poll-header) COMPREPLY=() ;;
    --cancel) COMPREPLY=() ;;
    --cancel-data) COMPREPLY=() ;;
    --cancel-header) COMPREPLY=() ;;
    --start-header) COMPREPLY=() ;;
    --output-url) COMPREPLY=() ;;
    --output-path) COMPREPLY=() ;;
    --idempotent-start) mapfile -t COMPREPLY < <(compgen -W "true false" -- "$2") ;;
    --shape-header) COMPREPLY=() ;;
    --retry-when) COMPREPLY=() ;;
    --gone-when) COMPREPLY=() ;;
    --aws-sigv4) COMPREPLY=() ;;
    --final-url) COMPREPLY=() ;;
    --start-completed-when) COMPREPLY=() ;;
    --start-failed-when) COMPREPLY=() ;;
    --start-canceled-when) COMPREPLY=() ;;
    --cancel-accepted-when) COMPREPLY=() ;;
    --cancel-refused-when) COMPREPLY=() ;;
    --data)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    --form) COMPREPLY=() ;;
    --method) COMPREPLY=() ;;
    --idempotency-key) COMPREPLY=() ;;
    --type) COMPREPLY=() ;;
    --page) COMPREPLY=() ;;
    --limit) COMPREPLY=() ;;
    --query) COMPREPLY=() ;;
  esac
}

_jobctl() {
  local -a _jobctl_w
  _jobctl_words
  local n=${#_jobctl_w[@]} cmd="" args=0 skip="" opt="" value="" i w
  local cur="${_jobctl_w[n-1]}"
  for ((i = 1; i < n - 1; i++)); do
    w="${_jobctl_w[i]}"
    if [[ -n $skip ]]; then
      skip=""
      continue
    fi
    case "$w" in
      --timeout|--interval|--max-interval|--until|--max-attempts|--max-errors|--stale-after|-o|--output|--as|--format|--field|--progress|--color|--base-url|--token-file|-H|--header|--dialect|--jobs-path|--cacert|--cert|--key|--connect-timeout|--request-timeout|--max-connections|--config|--profile|--unix-socket|--completed-when|--failed-when|--canceled-when|--pending-when|--running-when|--warn-when|--status-path|--progress-path|--stage-path|--message-path|--updated-path|--id-path|--url-path|--list-path|--poll|--poll-data|--poll-header|--cancel|--cancel-data|--cancel-header|--start-header|--output-url|--output-path|--idempotent-start|--shape-header|--retry-when|--gone-when|--aws-sigv4|--final-url|--start-completed-when|--start-failed-when|--start-canceled-when|--cancel-accepted-when|--cancel-refused-when|--data|--form|--method|--idempotency-key|--type|--page|--limit|--query) skip=1 ;;
      -*) ;;
      *) if [[ -z $cmd ]]; then cmd="$w"; else ((args++)); fi ;;
    esac
  done
  COMPREPLY=()
  if [[ -n $skip ]]; then
    opt="${_jobctl_w[n-2]}" value="$cur"
  elif [[ $cur == --*=* ]]; then
    opt="${cur%%=*}" value="${cur#*=}"
  fi
  if [[ -n $opt ]]; then
    _jobctl_values "$opt" "$value"
    _jobctl_reply "$cur" "$value"
    return
  fi
  if [[ $cur == -* ]]; then
    case "$cmd" in
      wait) w="--timeout --interval --max-interval --until --slow-down --max-attempts --max-errors --stale-after --cancel-on-interrupt --all --any -o --output --as --continue --format --json --field -q --quiet --progress --color --base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --unix-socket -h --help --version --completed-when --failed-when --canceled-when --pending-when --running-when --warn-when --status-path --progress-path --stage-path --message-path --updated-path --id-path --url-path --list-path --poll --poll-data --poll-header --cancel --cancel-data --cancel-header --start-header --output-url --output-path --idempotent-start --shape-header --retry-when --gone-when --aws-sigv4 --final-url --start-completed-when --start-failed-when --start-canceled-when --cancel-accepted-when --cancel-refused-when" ;;
      status) w="--timeout --interval --max-interval --until --slow-down --max-attempts --max-errors --stale-after --format --json --field -q --quiet --progress --color --base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --unix-socket -h --help --version --completed-when --failed-when --canceled-when --pending-when --running-when --warn-when --status-path --progress-path --stage-path --message-path --updated-path --id-path --url-path --list-path --poll --poll-data --poll-header --cancel --cancel-data --cancel-header --start-header --output-url --output-path --idempotent-start --shape-header --retry-when --gone-when --aws-sigv4 --final-url --start-completed-when --start-failed-when --start-canceled-when --cancel-accepted-when --cancel-refused-when" ;;
      start) w="--data --form --method --idempotency-key --wait --timeout --interval --max-interval --until --slow-down --max-attempts --max-errors --stale-after --cancel-on-interrupt --all --any -o --output --as --continue --format --json --field -q --quiet --progress --color --base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --unix-socket -h --help --version --completed-when --failed-when --canceled-when --pending-when --running-when --warn-when --status-path --progress-path --stage-path --message-path --updated-path --id-path --url-path --list-path --poll --poll-data --poll-header --cancel --cancel-data --cancel-header --start-header --output-url --output-path --idempotent-start --shape-header --retry-when --gone-when --aws-sigv4 --final-url --start-completed-when --start-failed-when --start-canceled-when --cancel-accepted-when --cancel-refused-when" ;;
      cancel) w="--wait --timeout --interval --max-interval --until --slow-down --max-attempts --max-errors --stale-after --format --json --field -q --quiet --progress --color --base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --unix-socket -h --help --version --completed-when --failed-when --canceled-when --pending-when --running-when --warn-when --status-path --progress-path --stage-path --message-path --updated-path --id-path --url-path --list-path --poll --poll-data --poll-header --cancel --cancel-data --cancel-header --start-header --output-url --output-path --idempotent-start --shape-header --retry-when --gone-when --aws-sigv4 --final-url --start-completed-when --start-failed-when --start-canceled-when --cancel-accepted-when --cancel-refused-when" ;;
      list) w="--type --page --limit --all --query --timeout --interval --max-interval --until --slow-down --max-attempts --max-errors --stale-after --format --json --field -q --quiet --progress --color --base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --unix-socket -h --help --version --completed-when --failed-when --canceled-when --pending-when --running-when --warn-when --status-path --progress-path --stage-path --message-path --updated-path --id-path --url-path --list-path --poll --poll-data --poll-header --cancel --cancel-data --cancel-header --start-header --output-url --output-path --idempotent-start --shape-header --retry-when --gone-when --aws-sigv4 --final-url --start-completed-when --start-failed-when --start-canceled-when --cancel-accepted-when --cancel-refused-when" ;;
      output) w="-o --output --as --continue -q --quiet --timeout --interval --max-interval --until --slow-down --max-attempts --max-errors --stale-after --base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --unix-socket -h --help --version --completed-when --failed-when --canceled-when --pending-when --running-when --warn-when --status-path --progress-path --stage-path --message-path --updated-path --id-path --url-path --list-path --poll --poll-data --poll-header --cancel --cancel-data --cancel-header --start-header --output-url --output-path --idempotent-start --shape-header --retry-when --gone-when --aws-sigv4 --final-url --start-completed-when --start-failed-when --start-canceled-when --cancel-accepted-when --cancel-refused-when" ;;
      explain) w="--format --json --field -q --quiet --progress --color --base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --unix-socket -h --help --version --completed-when --failed-when --canceled-when --pending-when --running-when --warn-when --status-path --progress-path --stage-path --message-path --updated-path --id-path --url-path --list-path --poll --poll-data --poll-header --cancel --cancel-data --cancel-header --start-header --output-url --output-path --idempotent-start --shape-header --retry-when --gone-when --aws-sigv4 --final-url --start-completed-when --start-failed-when --start-canceled-when --cancel-accepted-when --cancel-refused-when" ;;
      completion) w="-h --help --version" ;;
      help) w="--config --profile -h --help --version" ;;
      version) w="--json -h --help --version" ;;
      *) w="--timeout --interval --max-interval --until --slow-down --max-attempts --max-errors --stale-after --cancel-on-interrupt --all --any -o --output --as --continue --format --json --field -q --quiet --progress --color --base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --unix-socket -h --help --version --completed-when --failed-when --canceled-when --pending-when --running-when --warn-when --status-path --progress-path --stage-path --message-path --updated-path --id-path --url-path --list-path --poll --poll-data --poll-header --cancel --cancel-data --cancel-header --start-header --output-url --output-path --idempotent-start --shape-header --retry-when --gone-when --aws-sigv4 --final-url --start-completed-when --start-failed-when --start-canceled-when --cancel-accepted-when --cancel-refused-when --data --form --method --idempotency-key --wait --type --page --limit --query" ;;
    esac
    mapfile -t COMPREPLY < <(compgen -W "$w" -- "$cur")
  elif [[ -z $cmd ]]; then
    mapfile -t COMPREPLY < <(compgen -W "wait status start cancel list output explain completion help version" -- "$cur")
  elif ((args == 0)); then
    case "$cmd" in
      completion) mapfile -t COMPREPLY < <(compgen -W "bash zsh fish" -- "$cur") ;;
      help) mapfile -t COMPREPLY < <(compgen -W "wait status start cancel list output explain completion help version exit-codes dialects" -- "$cur") ;;
    esac
  fi
  _jobctl_reply "$cur" "$cur"
}
complete -F _jobctl jobctl
