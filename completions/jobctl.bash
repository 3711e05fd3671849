# bash completion for jobctl (generated from its command table; do not edit)
_jobctl_profiles() (
  f="${JOBCTL_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/jobctl/config}"; [ -r "$f" ] && sed -n -e 's/^[[:space:]]*\[[[:space:]]*profile[[:space:]][[:space:]]*\([^] ]*\)[[:space:]]*\].*/\1/p' -e 's/^[[:space:]]*\[[[:space:]]*default[[:space:]]*\].*/default/p' "$f"
)

_jobctl() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="" i opts
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in
      wait|status|start|cancel|list|output|completion|help|version) cmd="${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
    --dialect) COMPREPLY=($(compgen -W "auto simple hotcrp staged progress" -- "$cur")); return ;;
    --as) COMPREPLY=($(compgen -W "body string json" -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W "text json ndjson" -- "$cur")); return ;;
    --progress) COMPREPLY=($(compgen -W "auto tty plain none" -- "$cur")); return ;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --profile) COMPREPLY=($(compgen -W "$(_jobctl_profiles)" -- "$cur")); return ;;
    --token-file|--cacert|--config|-o|--output|--data) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --base-url|-H|--header|--jobs-path|--cert|--key|--connect-timeout|--request-timeout|--max-connections|--interval|--max-interval|--timeout|--until|--max-attempts|--max-errors|--stale-after|--field|--form|--method|--idempotency-key|--type|--page|--limit|--query) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    case "$cmd" in
    wait) opts="--base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --interval --max-interval --timeout --until --slow-down --max-attempts --max-errors --stale-after --cancel-on-interrupt --all --any -o --output --as --continue --format --json --field -q --quiet --progress --color -h --help --version" ;;
    status) opts="--base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --interval --max-interval --timeout --until --slow-down --max-attempts --max-errors --stale-after --format --json --field -q --quiet --progress --color -h --help --version" ;;
    start) opts="--base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --data --form --method --idempotency-key --wait --interval --max-interval --timeout --until --slow-down --max-attempts --max-errors --stale-after --cancel-on-interrupt --all --any -o --output --as --continue --format --json --field -q --quiet --progress --color -h --help --version" ;;
    cancel) opts="--base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --wait --interval --max-interval --timeout --until --slow-down --max-attempts --max-errors --stale-after --format --json --field -q --quiet --progress --color -h --help --version" ;;
    list) opts="--base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --type --page --limit --all --query --interval --max-interval --timeout --until --slow-down --max-attempts --max-errors --stale-after --format --json --field -q --quiet --progress --color -h --help --version" ;;
    output) opts="--base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile -o --output --as --continue -q --quiet --interval --max-interval --timeout --until --slow-down --max-attempts --max-errors --stale-after -h --help --version" ;;
    completion) opts="-h --help --version" ;;
    help) opts="-h --help --version" ;;
    version) opts="-h --help --version" ;;
    *) opts="--base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --insecure --connect-timeout --request-timeout --max-connections -v --verbose --config --profile --interval --max-interval --timeout --until --slow-down --max-attempts --max-errors --stale-after --cancel-on-interrupt --all --any -o --output --as --continue --format --json --field -q --quiet --progress --color -h --help --version --data --form --method --idempotency-key --wait --type --page --limit --query" ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  case "$cmd" in
    "") COMPREPLY=($(compgen -W "wait status start cancel list output completion help version" -- "$cur")) ;;
    help) COMPREPLY=($(compgen -W "wait status start cancel list output completion help version exit-codes" -- "$cur")) ;;
    completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")) ;;
  esac
}
complete -F _jobctl jobctl
