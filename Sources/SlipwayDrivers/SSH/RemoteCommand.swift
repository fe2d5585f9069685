/// The text an SSH server hands to the remote user's shell for one argv: the argv itself, and a fixed
/// wrapper that makes cancellation real.
///
/// Without a pseudo-terminal, sshd sends no signal when a channel closes, so a remote command outlives
/// its cancelled client. The wrapper runs the argv in the background in its own session and watches the
/// channel's standard input: when the input ends (the local `ssh` was killed, which closes the channel) it
/// sends SIGTERM to the command's process group, and SIGKILL two seconds later. The command's own standard
/// input is the exact bytes it was given (a length-prefixed copy, kept in a removed temporary file), never
/// the channel, so the watchdog and the command do not compete for it. Exit code, stdout and stderr are
/// the command's own.
///
/// The wrapper text is a constant; the argv reaches it as positional parameters, and the one quoting
/// function (`ShellQuoting.quote`) turns the whole thing into shell text.
enum RemoteCommand {
    /// Linux refuses a single argument over 128 KiB (MAX_ARG_STRLEN), and sshd passes the whole command as
    /// one argument to the login shell. Larger data goes through standard input.
    static let maximumLength = 120_000

    /// `$1` is the number of stdin bytes to hand to the command, or `-` for none; the rest is the argv.
    static let wrapper = """
        n=$1
        shift
        exec 4<&0
        if [ "$n" = - ]; then
            exec 3</dev/null
        else
            t=$(mktemp) || exit 125
            head -c "$n" >"$t"
            s=$(wc -c <"$t")
            exec 3<"$t"
            rm -f "$t"
            if [ "$s" -ne "$n" ]; then exit 125; fi
        fi
        if command -v setsid >/dev/null 2>&1; then
            setsid -- "$@" <&3 3<&- 4<&- &
        else
            "$@" <&3 3<&- 4<&- &
        fi
        c=$!
        exec 3<&-
        {
            cat >/dev/null
            kill -TERM -"$c" || kill -TERM "$c"
            sleep 2
            kill -KILL -"$c" || kill -KILL "$c"
        } <&4 >/dev/null 2>&1 &
        w=$!
        exec 4<&-
        wait "$c"
        s=$?
        kill "$w" 2>/dev/null
        exit "$s"
        """

    /// The remote command text for `argv`, with `stdinByteCount` bytes of standard input to follow (nil: none).
    static func text(for argv: [String], stdinByteCount: Int?) throws(SSHError) -> String {
        guard !argv.isEmpty else { throw .invalidCommand("the argv is empty") }
        let text: String
        do {
            let count = stdinByteCount.map(String.init) ?? "-"
            text = try ShellQuoting.quote(["sh", "-c", wrapper, "slipway-run", count] + argv)
        } catch {
            throw .invalidCommand("an argument contains a NUL byte, which no process can receive")
        }
        guard text.utf8.count <= maximumLength else {
            throw .invalidCommand(
                "the quoted command is \(text.utf8.count) bytes; a remote shell takes at most "
                    + "\(maximumLength) (pass large data on standard input)")
        }
        return text
    }
}
