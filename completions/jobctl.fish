# fish completion for jobctl (generated from its command table; do not edit)
function __jobctl_profiles
    sh -c 'f="${JOBCTL_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/jobctl/config}"; [ -r "$f" ] && sed -n -e '\''s/^[[:space:]]*\[[[:space:]]*profile[[:space:]][[:space:]]*\([^] ]*\)[[:space:]]*\].*/\1/p'\'' -e '\''s/^[[:space:]]*\[[[:space:]]*default[[:space:]]*\].*/default/p'\'' "$f"'
end

function __jobctl_dialects
    sh -c 'f="${JOBCTL_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/jobctl/config}"; [ -r "$f" ] && sed -n -e '\''s/^[[:space:]]*\[[[:space:]]*dialect[[:space:]][[:space:]]*\([^] ]*\)[[:space:]]*\].*/\1/p'\'' "$f"'
end

# File names for the word being completed, after any --name=: fish's own file completion
# reads a colon as a list separator (PATH=a:b) and would complete d:ir/ as d:d:ir/.
function __jobctl_files
    __fish_complete_path (commandline -ct | string replace -r -- '^--[^=]*=' '')
end

# The command on the line so far (- when none yet), then how many arguments follow it.
function __jobctl_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmd -
    set -l args 0
    set -l skip 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case --timeout --interval --max-interval --until --max-attempts --max-errors --stale-after -o --output --as --format --field --progress --color --base-url --token-file -H --header --dialect --jobs-path --cacert --cert --key --connect-timeout --request-timeout --max-connections --config --profile --unix-socket --completed-when --failed-when --canceled-when --pending-when --running-when --warn-when --status-path --progress-path --stage-path --message-path --updated-path --id-path --url-path --list-path --poll --poll-data --poll-header --cancel --cancel-data --cancel-header --start-header --output-url --output-path --idempotent-start --shape-header --retry-when --gone-when --aws-sigv4 --final-url --start-completed-when --start-failed-when --start-canceled-when --cancel-accepted-when --cancel-refused-when --data --form --method --idempotency-key --type --page --limit --query
                set skip 1
            case '-*'
            case '*'
                if test $cmd = -
                    set cmd $t
                else
                    set args (math $args + 1)
                end
        end
    end
    echo $cmd
    echo $args
end

# Before the command, every option; after it, the options of the commands named.
function __jobctl_using
    set -l state (__jobctl_state)
    test $state[1] = -; or contains -- $state[1] $argv
end

# The command is $argv[1] and no argument follows it yet.
function __jobctl_first_argument
    set -l state (__jobctl_state)
    test $state[1] = $argv[1]; and test $state[2] = 0
end

complete -c jobctl -f
complete -c jobctl -n '__jobctl_first_argument -' -a wait -d 'Poll jobs until they complete, fail or are canceled.'
complete -c jobctl -n '__jobctl_first_argument -' -a status -d 'Poll a job once and print its state.'
complete -c jobctl -n '__jobctl_first_argument -' -a start -d 'Start a job and print its id.'
complete -c jobctl -n '__jobctl_first_argument -' -a cancel -d 'Ask the server to cancel a job.'
complete -c jobctl -n '__jobctl_first_argument -' -a list -d 'List jobs.'
complete -c jobctl -n '__jobctl_first_argument -' -a output -d 'Fetch a finished job\'s output.'
complete -c jobctl -n '__jobctl_first_argument -' -a explain -d 'Judge a job document offline, as a wait would.'
complete -c jobctl -n '__jobctl_first_argument -' -a completion -d 'Print a shell completion script.'
complete -c jobctl -n '__jobctl_first_argument -' -a help -d 'Show help for a command, the exit codes, or the response shapes.'
complete -c jobctl -n '__jobctl_first_argument -' -a version -d 'Print the version, the commit, the build date and libcurl\'s.'
complete -c jobctl -n '__jobctl_first_argument completion' -a 'bash zsh fish'
complete -c jobctl -n '__jobctl_first_argument help' -a 'wait status start cancel list output explain completion help version exit-codes dialects'
complete -c jobctl -n '__jobctl_using wait status start cancel list output' -l timeout -x -d 'Give up after D with exit 124 (default: no limit).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output' -l interval -x -d 'Pause between polls, +-10% jitter (default 2s).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output' -l max-interval -x -d 'Longest backoff after failures (default 30s).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output' -l until -x -d 'Give up at TIME with exit 124: RFC 3339 (2026-12-01T20:00:00Z) or @UNIXTIME; the earlier of it and --timeout holds.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output' -l slow-down -d 'Lengthen the interval by half after each poll without change, up to --max-interval.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output' -l max-attempts -x -d 'Give up after N polls with exit 124.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output' -l max-errors -x -d 'Consecutive failures that end the wait with exit 7 (default 10).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output' -l stale-after -x -d 'Exit 8 when the job shows no change for D (default off).'
complete -c jobctl -n '__jobctl_using wait start' -l cancel-on-interrupt -d 'On Ctrl-C (SIGTERM, SIGHUP), cancel the job (POST JOB/cancel) before exiting 130 (143, 129).'
complete -c jobctl -n '__jobctl_using wait start' -l all -d 'With several jobs, wait until every one has ended (the default).'
complete -c jobctl -n '__jobctl_using wait start' -l any -d 'With several jobs, stop when the first one ends; its exit code is the result.'
complete -c jobctl -n '__jobctl_using wait start output' -s o -l output -x -a '(__jobctl_files)'
complete -c jobctl -n '__jobctl_using wait start output' -s o -l output -x -d 'Write the job\'s output to FILE (for output, - is stdout): a regular or new FILE through a temporary file renamed into place, a device or FIFO directly.'
complete -c jobctl -n '__jobctl_using wait start output' -l as -x -a 'body string json'
complete -c jobctl -n '__jobctl_using wait start output' -l as -x -d 'Which output to fetch: body (default), string or json (HotCRP\'s output=).'
complete -c jobctl -n '__jobctl_using wait start output' -l continue -d 'Resume a partial regular FILE with a Range request; only a 206 starting at its end is appended.'
complete -c jobctl -n '__jobctl_using wait status start cancel list explain' -l format -x -a 'text json ndjson'
complete -c jobctl -n '__jobctl_using wait status start cancel list explain' -l format -x -d 'Output format: text (default), json (the last answer verbatim) or ndjson (one event per line).'
complete -c jobctl -n '__jobctl_using wait status start cancel list explain version' -l json -d 'Same as --format json.'
complete -c jobctl -n '__jobctl_using wait status start cancel list explain' -l field -x -d 'Print one value of the final document (result.address, jobs.0.jobId); strings raw, escaped on a terminal.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -s q -l quiet -d 'Print only errors and the results asked for: no progress, notes or warnings (list: the ids only, one a line).'
complete -c jobctl -n '__jobctl_using wait status start cancel list explain' -l progress -x -a 'auto tty plain none'
complete -c jobctl -n '__jobctl_using wait status start cancel list explain' -l progress -x -d 'Progress on stderr: tty redraws one live line, plain prints a timestamped line per change, none nothing (default auto: tty on a terminal).'
complete -c jobctl -n '__jobctl_using wait status start cancel list explain' -l color -x -a 'auto always never'
complete -c jobctl -n '__jobctl_using wait status start cancel list explain' -l color -x -d 'Colour on stderr: auto (a terminal, unless NO_COLOR is set or TERM=dumb), always or never.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l base-url -x -d 'Base URL of the API; needed unless JOB is a URL.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l token-file -x -a '(__jobctl_files)'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l token-file -x -d 'Read the bearer token from PATH, whatever its mode (JOBCTL_TOKEN supplies it from the environment).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -s H -l header -x -d 'Send an extra request header (repeatable).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l dialect -x -a 'auto simple hotcrp staged progress github-run google-operation azure-operation http-202 openai-batch replicate anthropic-batch slurm ray-job celery-flower aws-sfn aws-athena aws-glue (__jobctl_dialects)'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l dialect -x -d 'Response shape: auto (default), a built-in shape (simple, hotcrp, staged, progress), a named API (github-run, google-operation, azure-operation, http-202, openai-batch, replicate, anthropic-batch, slurm, ray-job, celery-flower, aws-sfn, aws-athena, aws-glue) or a [dialect NAME] section of the config file.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l jobs-path -x -d 'Where a job id is polled, {id} marking the id ({+id} keeps slashes; default /jobs/{id}; hotcrp /job?job={id}).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l cacert -x -a '(__jobctl_files)'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l cacert -x -d 'Trust the CA certificates in FILE.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l cert -x -a '(__jobctl_files)'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l cert -x -d 'Present the TLS client certificate in FILE (PEM), for mutual TLS.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l key -x -a '(__jobctl_files)'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l key -x -d 'The private key of --cert (PEM), when FILE of --cert does not hold it.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l insecure -d 'Do not verify TLS certificates (a warning is printed).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l connect-timeout -x -d 'Time limit for connecting (default 10s).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l request-timeout -x -d 'Time limit for each request, its redirects included (default 30s); a download\'s longest silence.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l max-connections -x -d 'Connections to one host at most (default 4); HTTP/2 multiplexes requests over them.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -s v -l verbose -d 'Trace requests and responses on stderr (secrets redacted).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain help' -l config -x -a '(__jobctl_files)'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain help' -l config -x -d 'Config file (default $XDG_CONFIG_HOME/jobctl/config, else ~/.config/jobctl/config).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain help' -l profile -x -a '(__jobctl_profiles)'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain help' -l profile -x -d 'Config file profile to use (default: the [default] section).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l unix-socket -x -a '(__jobctl_files)'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l unix-socket -x -d 'Send every request through the UNIX socket PATH; the URL still names the host and path.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain completion help version' -s h -l help -d 'Show help for jobctl or a command.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain completion help version' -l version -d 'Print the version (at the top level).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l completed-when -x -d 'The job completed when COND holds, such as status=SUCCEEDED (repeatable: any one suffices).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l failed-when -x -d 'The job failed when COND holds, such as status=FAILED,TIMED_OUT (repeatable).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l canceled-when -x -d 'The job was canceled when COND holds.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l pending-when -x -d 'The job has not started yet when COND holds.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l running-when -x -d 'The job is running when COND holds.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l warn-when -x -d 'A completed job\'s messages are warnings only when COND holds (default: always); with no message, the warning shows what COND read.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l status-path -x -d 'The value shown as the job\'s status (default: the first path of the first --completed-when).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l progress-path -x -d 'Progress: PATH (a fraction), PATH / NUMBER (percentComplete / 100) or PATH / PATH.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l stage-path -x -d 'The job\'s stage, shown while it runs (first present wins).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l message-path -x -d 'The job\'s error once it failed, its warnings once it completed (all; a number or boolean as PATH=VALUE).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l updated-path -x -d 'The UNIX or RFC 3339 time of the job\'s last update, for --stale-after.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l id-path -x -d 'Where start finds the job\'s id (default jobId, job, id; first present wins).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l url-path -x -d 'Where start finds the job\'s URL; @header:NAME reads a header (default locationUrl, job_url, Location); \'PATH as SHAPE\' polls it as that shape.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l list-path -x -d 'Where a list answer holds its jobs (default jobs, or the answer itself).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l poll -x -d 'How a job is polled: GET {url} (default), or POST / with --poll-data for a JSON-protocol API.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l poll-data -x -d 'The poll\'s body: {"executionArn":"{id}"}; a value inside a JSON string is escaped, one outside is JSON.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l poll-header -x -d 'A header the polls alone carry; the value may use {id}, {url}, {.PATH} (repeatable).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l cancel -x -d 'How cancel asks: POST {url}/cancel (default), POST {url}:cancel, DELETE {url}, or none.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l cancel-data -x -d 'The cancel\'s body (default none), written as --poll-data is.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l cancel-header -x -d 'A header the cancel request alone carries; the value may use {id}, {url}, {.PATH} (repeatable).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l start-header -x -d 'A header the start request alone carries (repeatable).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l output-url -x -d 'Where output fetches a finished job\'s result: /v1/files/{.output_file_id}/content, {+.results_url}.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l output-path -x -d 'The output is the value at PATH of a JSON output answer (Ray\'s logs), not the whole answer.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l idempotent-start -x -a 'true false'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l idempotent-start -x -d 'Whether the API honours Idempotency-Key, so a start may be sent again (default false for a shape of your own).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l shape-header -x -d 'A header every request of this shape carries (repeatable).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l retry-when -x -d 'A non-2xx answer where COND holds is a rate limit: waited out, never counted toward --max-errors.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l gone-when -x -d 'A non-2xx answer where COND holds says the job no longer exists (exit 5).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l aws-sigv4 -x -d 'Have libcurl sign every request with AWS Signature V4; P1[:P2[:REGION[:SERVICE]]] is curl\'s PROVIDER1[:PROVIDER2[:REGION[:SERVICE]]], such as aws:amz:us-east-1:states (aws:amz alone: libcurl reads service and region from an AWS host name). Keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, else ~/.aws/credentials.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l final-url -x -d 'Where a completed job\'s result is fetched: PUT,PATCH {start-url}, {start-header:Location}, {+.resourceLocation} (first that can be built wins).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l start-completed-when -x -d 'A start answer that names no job completed the work when COND holds (Azure\'s provisioningState).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l start-failed-when -x -d 'A start answer that names no job failed when COND holds.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l start-canceled-when -x -d 'A start answer that names no job was canceled when COND holds.'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l cancel-accepted-when -x -d 'A cancel answer where COND holds was accepted (before the general rules; a page that is not JSON too).'
complete -c jobctl -n '__jobctl_using wait status start cancel list output explain' -l cancel-refused-when -x -d 'A cancel answer where COND holds was refused: exit 6 with the server\'s reason (tried first).'
complete -c jobctl -n '__jobctl_using start' -l data -x -a '(__jobctl_files)'
complete -c jobctl -n '__jobctl_using start' -l data -x -d 'Request body, sent as-is (application/json when it parses as JSON); @FILE reads a file, @- stdin.'
complete -c jobctl -n '__jobctl_using start' -l form -x -d 'A form field, sent application/x-www-form-urlencoded (repeatable).'
complete -c jobctl -n '__jobctl_using start' -l method -x -d 'HTTP method (default POST).'
complete -c jobctl -n '__jobctl_using start' -l idempotency-key -x -d 'Idempotency-Key to send (default: a new random UUID, the same on every retry).'
complete -c jobctl -n '__jobctl_using start cancel' -l wait -d 'Go on waiting for the job, as \'jobctl wait\' does.'
complete -c jobctl -n '__jobctl_using list' -l type -x -d 'Only jobs of type T (sent as type=T).'
complete -c jobctl -n '__jobctl_using list' -l page -x -d 'Page to read (sent as page=N).'
complete -c jobctl -n '__jobctl_using list' -l limit -x -d 'Jobs per page (sent as limit=N).'
complete -c jobctl -n '__jobctl_using list' -l all -d 'Follow pagination.nextPage (a page number, a URL or path, or a cursor sent as cursor=) or Link rel="next" to the last page.'
complete -c jobctl -n '__jobctl_using list' -l query -x -d 'An extra query parameter (repeatable).'
