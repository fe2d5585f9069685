import Foundation
import Testing

@testable import SlipwayDrivers

/// The fetch with a deploy key: the ssh command git hands to a shell, the transports a key serves, and the
/// failures read as "the Git host refused us".
@Suite("Git commands: the deploy key")
struct GitCommandTests {
    @Test("with an identity, git's ssh uses only that key, no prompt, and the host key pinned in the mirror's file")
    func fetchWithIdentity() throws {
        let identity = try GitCommand.SSHIdentity(
            keyFile: "../prj_1.git.key", knownHostsFile: "../prj_1.git.known_hosts")
        let argv = GitCommand.fetch(".slipway/repos/prj_1.git", url: "ssh://git@example.test/a.git", identity: identity)
        let setting = argv.filter { $0.hasPrefix("GIT_SSH_COMMAND=") }
        #expect(
            setting == [
                "GIT_SSH_COMMAND='ssh' '-i' '../prj_1.git.key' '-o' 'IdentitiesOnly=yes' '-o' 'BatchMode=yes' "
                    + "'-o' 'UserKnownHostsFile=../prj_1.git.known_hosts' '-o' 'StrictHostKeyChecking=accept-new'"
            ])
        #expect(Array(argv.prefix(3)) == ["env", "GIT_TERMINAL_PROMPT=0", setting.first ?? ""])
        #expect(argv.last(where: { $0.hasPrefix("ssh://") }) == "ssh://git@example.test/a.git")
        // Everything but the ssh command is the fetch without a key.
        let plain = GitCommand.fetch(".slipway/repos/prj_1.git", url: "ssh://git@example.test/a.git")
        #expect(plain.filter { $0.hasPrefix("GIT_SSH_COMMAND=") } == ["GIT_SSH_COMMAND=ssh -o BatchMode=yes"])
        #expect(plain.filter { !$0.hasPrefix("GIT_SSH_COMMAND=") } == argv.filter { !$0.hasPrefix("GIT_SSH_COMMAND=") })
    }

    @Test("a shell reads the ssh command back as exactly ssh's arguments, as git runs it")
    func shellReadsTheCommand() async throws {
        let identity = try GitCommand.SSHIdentity(
            keyFile: "/home/deploy-1/x.key", knownHostsFile: "/srv/a+b@c/.slipway/repos/prj_9.git.known_hosts")
        // As git runs it: `sh -c 'COMMAND "$@"' COMMAND HOST REMOTE-COMMAND`; a function named ssh prints its arguments.
        let process = try LocalProcess.start(
            [
                "sh", "-c", #"ssh() { printf '%s\n' "$@"; }; "# + identity.sshCommand + #" "$@""#, identity.sshCommand,
                "host", "git-upload-pack 'repo'",
            ], environment: ProcessInfo.processInfo.environment)
        let result = await process.collect()
        #expect(result.termination.exitCode == 0)
        #expect(
            String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init) == [
                "-i", "/home/deploy-1/x.key", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "UserKnownHostsFile=/srv/a+b@c/.slipway/repos/prj_9.git.known_hosts",
                "-o", "StrictHostKeyChecking=accept-new", "host", "git-upload-pack 'repo'",
            ])
    }

    @Test(
        "a path ssh or the shell would read as more than a path is refused",
        arguments: [
            "it's", "$(touch /tmp/pwned)", "`id`", "a;b", "a\nb", "a\0b", "a b", "%d/key", "~/key", "-oProxyCommand=x",
            "", "é", "a\tb", "a\"b", "a\\b",
        ])
    func hostilePaths(path: String) {
        #expect(throws: GitCommandError.unsafePath(path)) {
            try GitCommand.SSHIdentity(keyFile: path, knownHostsFile: "../known_hosts")
        }
        #expect(throws: GitCommandError.unsafePath(path)) {
            try GitCommand.SSHIdentity(keyFile: "../key", knownHostsFile: path)
        }
    }

    @Test(
        "ssh URLs, scp-like addresses and nothing else use SSH",
        arguments: [
            ("ssh://git@github.com/acme/shop.git", true), ("SSH://host/x", true), ("git+ssh://host/x", true),
            ("ssh+git://host/x", true), ("git@github.com:acme/shop.git", true), ("host:repo.git", true),
            ("https://github.com/acme/shop.git", false), ("http://host/x", false), ("file:///srv/x.git", false),
            ("git://host/x", false), ("/srv/repos/x.git", false), ("./a:b", false), ("repo.git", false),
        ])
    func transports(url: String, ssh: Bool) {
        #expect(GitCommand.usesSSH(url) == ssh)
    }

    @Test("what ssh and the big Git hosts print when they refuse a key is an access refusal")
    func refusals() {
        let denied = [
            "git@github.com: Permission denied (publickey).\r\nfatal: Could not read from remote repository.",
            "ERROR: Repository not found.\nfatal: Could not read from remote repository.",
            "remote: The project you were looking for could not be found or you don't have permission to view it.",
            "repository access denied. access via a deployment key is read-only.",
            "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
            "remote: Invalid username or password.\nfatal: Authentication failed for 'https://host/x.git/'",
        ]
        for output in denied {
            #expect(GitCommand.FetchRefusal(output: output) == .accessDenied, "\(output)")
        }
        #expect(
            GitCommand.FetchRefusal(
                output: "@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.")
                == .hostKeyChanged)
        for output in [
            "ssh: connect to host 127.0.0.1 port 1: Connection refused\nfatal: Could not read from remote repository.",
            "fatal: couldn't find remote ref refs/heads/x", "",
        ] {
            #expect(GitCommand.FetchRefusal(output: output) == nil, "\(output)")
        }
    }
}
