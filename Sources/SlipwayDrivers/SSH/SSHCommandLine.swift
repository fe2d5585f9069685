import Foundation

/// The argv of every `ssh` invocation a connection makes. Pure: values in, arrays out.
///
/// Every invocation ignores the user's and the system's ssh configuration (`-F /dev/null`), agents and
/// default keys, and checks the host key against the connection's own known_hosts file only.
struct SSHCommandLine: Sendable {
    let ssh: String
    let target: SSHTarget
    let directory: SSHRuntimeDirectory

    /// Printed by the ProxyCommand that stands in for a direct connection. A client whose master is gone
    /// would otherwise quietly open a connection of its own; with this it fails at once, and we know the
    /// command never started (so it is safe to run it again on a new master).
    static let noMasterMarker = "slipway-ssh-no-master-connection"

    /// Options shared by all invocations; `-p`/`-l` and the destination come last, after `--`.
    private var shared: [String] {
        [
            "-F", "/dev/null",
            "-o", "UserKnownHostsFile=\(directory.knownHosts)",
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "UpdateHostKeys=no",
            "-o", "HashKnownHosts=no",
            "-o", "CheckHostIP=no",
            "-o", "IdentityAgent=none",
            "-o", "IdentitiesOnly=yes",
            "-o", "ForwardAgent=no",
            "-o", "ForwardX11=no",
            "-o", "HostbasedAuthentication=no",
            "-o", "GSSAPIAuthentication=no",
            "-o", "LogLevel=ERROR",
        ]
    }

    private var destination: [String] {
        ["-p", String(target.port), "-l", target.user, "--", target.host]
    }

    /// Whether the credential needs a prompt answered (password or key passphrase), so BatchMode is off.
    var needsAskpass: Bool {
        switch target.credential {
        case .password: true
        case .privateKey(_, let passphrase): passphrase != nil
        }
    }

    /// The master: authenticates, then backgrounds itself (ControlPersist) and the foreground ssh exits 0.
    /// `strict` when known_hosts already holds the checked key; else the first key seen is recorded.
    func master(strict: Bool) -> [String] {
        var argv = [ssh, "-M", "-N"] + shared
        argv += [
            "-o", "ControlPath=\(directory.controlPathPattern)",
            "-o", "ControlPersist=yes",
            "-o", "StrictHostKeyChecking=\(strict ? "yes" : "accept-new")",
            "-o", "BatchMode=\(needsAskpass ? "no" : "yes")",
            "-o", "NumberOfPasswordPrompts=1",
            "-o", "ConnectTimeout=10",
            // A master whose peer stops answering exits after 3 x 10 s instead of wedging every client.
            "-o", "ServerAliveInterval=10",
            "-o", "ServerAliveCountMax=3",
            "-o", "StreamLocalBindUnlink=yes",
            "-o", "StreamLocalBindMask=0177",
            "-o", "ExitOnForwardFailure=no",
        ]
        switch target.credential {
        case .privateKey:
            argv += [
                "-o", "IdentityFile=\(directory.identity)",
                "-o", "PubkeyAuthentication=yes",
                "-o", "PasswordAuthentication=no",
                "-o", "KbdInteractiveAuthentication=no",
                "-o", "PreferredAuthentications=publickey",
            ]
        case .password:
            argv += [
                "-o", "PubkeyAuthentication=no",
                "-o", "PasswordAuthentication=yes",
                "-o", "KbdInteractiveAuthentication=yes",
                "-o", "PreferredAuthentications=password,keyboard-interactive",
            ]
        }
        return argv + destination
    }

    /// A command through the master. No authentication options: a client never authenticates itself.
    func client(controlPath: String, remoteCommand: String) -> [String] {
        clientOptions(controlPath: controlPath) + destination + [remoteCommand]
    }

    /// A subsystem (`sftp`) through the master: its protocol runs over the client's standard input and
    /// output. The name is a constant of ours, never user input; the server maps it to a program.
    func subsystem(controlPath: String, name: String) -> [String] {
        clientOptions(controlPath: controlPath) + ["-s"] + destination + [name]
    }

    private func clientOptions(controlPath: String) -> [String] {
        [ssh, "-T", "-S", controlPath, "-o", "ControlMaster=no"] + shared
            + [
                "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes",
                "-o", "PubkeyAuthentication=no",
                "-o", "PasswordAuthentication=no",
                "-o", "KbdInteractiveAuthentication=no",
                // Through `sh -c`: a bare `echo ... >&2` as ProxyCommand loses its output (measured, OpenSSH 9.2).
                "-o", "ProxyCommand=sh -c 'echo \(Self.noMasterMarker) >&2; exit 1'",
            ]
    }

    /// `ssh -O check|exit|forward|cancel` to the master.
    func control(_ operation: String, controlPath: String, extra: [String] = []) -> [String] {
        [ssh, "-S", controlPath, "-O", operation] + extra + shared + destination
    }

    /// `ssh -G`: prints the configuration, including the control path with `%C` expanded. Connects nowhere.
    func resolvedConfiguration() -> [String] {
        [ssh, "-G", "-o", "ControlPath=\(directory.controlPathPattern)"] + shared + destination
    }

    /// The environment of every ssh: nothing of ours but PATH and HOME, plus the askpass program when a
    /// prompt must be answered (OpenSSH 8.4+ honours SSH_ASKPASS_REQUIRE=force without a terminal or DISPLAY).
    func environment(askpass: Bool) -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment = [
            "PATH": inherited["PATH"] ?? "/usr/bin:/bin",
            "SHELL": "/bin/sh",
            "LC_ALL": "C",
        ]
        if let home = inherited["HOME"] { environment["HOME"] = home }
        if askpass {
            environment["SSH_ASKPASS"] = directory.askpass
            environment["SSH_ASKPASS_REQUIRE"] = "force"
        }
        return environment
    }
}
