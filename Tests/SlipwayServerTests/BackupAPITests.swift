import Foundation
import HTTPTypes
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

/// Snapshot retention, backup destinations, schedules, backups and alerts through the API, on a live
/// port and without a job runner: the records each route writes, the jobs it queues, and what it refuses
/// (naming the field, writing nothing). Running and drilling backups is the engine's business.
@Suite("Backups through the API")
struct BackupAPITests {
    typealias World = SnapshotAPITests.World

    static let key = """
        -----BEGIN OPENSSH PRIVATE KEY-----
        b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABCx
        -----END OPENSSH PRIVATE KEY-----

        """

    /// What each test starts from: a live control plane on port 0 and a scratch directory for local
    /// destinations, removed afterwards.
    struct Setup: Sendable {
        var plane: TestControlPlane
        var client: any TestClientProtocol
        var directory: String

        /// An Odoo project with a production and a staging environment on an active (made-up) server.
        func world() async throws -> World {
            try await SnapshotAPITests.world(client, plane)
        }

        /// A local destination in the scratch directory, made through the API.
        func destination(name: String = "Vault") async throws -> String {
            try await create(
                client, "/api/backup-destinations", token: plane.ownerToken,
                body: #"{"name":"\#(name)","kind":"local","path":"\#(directory)/\#(name)"}"#)
        }
    }

    static func live(_ body: @escaping @Sendable (Setup) async throws -> Void) async throws {
        let directory =
            FileManager.default.temporaryDirectory.path + "/slipway-backup-api-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestControlPlane.with { plane in
            let plane = plane.with(backupRoot: directory)
            try await plane.test(.live) { client in
                try await body(Setup(plane: plane, client: client, directory: directory))
            }
        }
    }

    /// Sends `body` and expects a 422 naming `field`.
    static func expectRefused(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, token: String, body: String,
        field: String
    ) async throws {
        let reply = try await send(client, method, path, token: token, body: body)
        #expect(reply.status == 422 && reply.errorField == field, "\(body) -> \(reply.status) \(reply.text)")
    }

    @Test("a local destination is made 0700 and checked writable; an sftp one seals its key and never answers it")
    func destinations() async throws {
        try await Self.live { setup in
            let (plane, client) = (setup.plane, setup.client)
            let directory = setup.directory
            let token = plane.ownerToken
            let destinations = "/api/backup-destinations"
            let local = try await create(
                client, destinations, token: token,
                body: #"{"name":"Local","kind":"local","path":"\#(directory)/deep/backups"}"#)
            let permissions =
                try FileManager.default.attributesOfItem(atPath: directory + "/deep/backups")[
                    .posixPermissions] as? Int
            #expect(permissions == 0o700)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/deep/backups").isEmpty)
            let shown = try await send(client, .get, "\(destinations)/\(local)", token: token)
            #expect(shown["kind"]?.string == "local" && shown["hasPrivateKey"] == .bool(false))
            try await SnapshotAPITests.expectMatches(shown, schema: "BackupDestination", client)

            let sftp = try await send(
                client, .post, destinations, token: token,
                body: """
                    {"name":"Vault","kind":"sftp","path":"/srv/backups","host":"vault.example.test",\
                    "username":"backup","privateKey":\(Self.jsonString(Self.key)),"passphrase":"correct horse"}
                    """)
            #expect(sftp.status == 201, "\(sftp.text)")
            #expect(sftp["hasPrivateKey"] == .bool(true) && sftp["port"]?.int == 22)
            #expect(!sftp.text.contains("OPENSSH") && !sftp.text.contains("correct horse"))
            try await SnapshotAPITests.expectMatches(sftp, schema: "BackupDestination", client)
            let sftpId = try #require(sftp["id"]?.string)
            let sealed = try await plane.store.encryptedBackupDestinationKey(
                organizationId: plane.organization.id, id: sftpId)
            #expect(try sealed.privateKey.map(plane.backend.secrets.open) == Self.key)
            #expect(try sealed.passphrase.map(plane.backend.secrets.open) == "correct horse")
            #expect(sealed.privateKey?.contains("OPENSSH") == false, "sealed, not stored as given")

            let listed = try await send(client, .get, destinations, token: token)
            #expect(Set(listed.items.compactMap { $0["id"]?.string }) == [local, sftpId])
            #expect(!listed.text.contains("OPENSSH"))

            let taken = try await send(
                client, .post, destinations, token: token,
                body: #"{"name":"Local","kind":"local","path":"\#(directory)/second"}"#)
            #expect(taken.status == 409 && taken.errorField == "name", "\(taken.text)")
            #expect(
                !FileManager.default.fileExists(atPath: directory + "/second"),
                "a refused name makes no directory")

            let removed = try await send(client, .delete, "\(destinations)/\(sftpId)", token: token)
            #expect(removed.status == 204, "\(removed.text)")
            #expect(try await send(client, .get, "\(destinations)/\(sftpId)", token: token).status == 404)
        }
    }

    @Test("every bad destination names its field and leaves nothing: paths, sftp fields, an unwritable directory")
    func destinationRefusals() async throws {
        try await Self.live { setup in
            let (plane, client) = (setup.plane, setup.client)
            let directory = setup.directory
            let token = plane.ownerToken
            // A regular file where a directory would go: no one, root included, can make one under it.
            let file = directory + "/not-a-directory"
            try Data("x".utf8).write(to: URL(fileURLWithPath: file))
            let key = Self.jsonString(Self.key)
            let sftp = #""kind":"sftp","path":"/srv/b","host":"vault.example.test","username":"backup""#
            let cases: [(String, String)] = [
                (#"{"name":"x","kind":"local","path":"/tmp/b"}"#, "name"),
                (#"{"name":"Bad","kind":"s3","path":"/tmp/b"}"#, "kind"),
                (#"{"name":"Bad","kind":"local","path":"backups"}"#, "path"),
                (#"{"name":"Bad","kind":"local","path":"/srv/../etc"}"#, "path"),
                (#"{"name":"Bad","kind":"local","path":"/srv/a\u0001b"}"#, "path"),
                (#"{"name":"Bad","kind":"local","path":"\#(file)/backups"}"#, "path"),
                (#"{"name":"Bad","kind":"local","path":"\#(directory)/b","host":"h.test"}"#, "host"),
                (#"{"name":"Bad","kind":"local","path":"\#(directory)/b","privateKey":\#(key)}"#, "privateKey"),
                (#"{"name":"Bad","kind":"local","path":"\#(directory)/b","bucket":"x"}"#, "bucket"),
                (#"{"name":"Bad","kind":"sftp","path":"/srv/b","username":"u","privateKey":\#(key)}"#, "host"),
                (
                    #"{"name":"Bad",\#(sftp.replacingOccurrences(of: "vault.example.test", with: "-evil"))}"#,
                    "host"
                ),
                (
                    #"{"name":"Bad","kind":"sftp","path":"/srv/b","host":"h.test","privateKey":\#(key)}"#,
                    "username"
                ),
                (#"{"name":"Bad",\#(sftp),"port":0,"privateKey":\#(key)}"#, "port"),
                (#"{"name":"Bad",\#(sftp)}"#, "privateKey"),
                (#"{"name":"Bad",\#(sftp),"privateKey":"ssh-ed25519 AAAA me@laptop"}"#, "privateKey"),
                (#"{"name":"Bad",\#(sftp),"privateKey":\#(key),"passphrase":"two\nlines"}"#, "passphrase"),
            ]
            for (body, field) in cases {
                try await Self.expectRefused(
                    client, .post, "/api/backup-destinations", token: token, body: body, field: field)
            }
            let unwritable = try await send(
                client, .post, "/api/backup-destinations", token: token,
                body: #"{"name":"Bad","kind":"local","path":"\#(file)/backups"}"#)
            #expect(unwritable.errorCode == "invalid_field")
            #expect(unwritable.text.contains("not a directory"), "says why: \(unwritable.text)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/b"), "nothing made for a refusal")
            // Outside the control plane's backup root: refused before anything is made there.
            let outside = directory + "-outside"
            let escaped = try await send(
                client, .post, "/api/backup-destinations", token: token,
                body: #"{"name":"Bad","kind":"local","path":"\#(outside)"}"#)
            #expect(escaped.status == 422 && escaped.errorField == "path", "\(escaped.text)")
            #expect(escaped.text.contains("backup root"), "\(escaped.text)")
            #expect(!FileManager.default.fileExists(atPath: outside))
            let listed = try await send(client, .get, "/api/backup-destinations", token: token)
            #expect(listed.status == 200 && listed.items.isEmpty, "\(listed.text)")
        }
    }

    @Test("schedules: defaults, next run, every refusal names its field; PATCH moves the next run; run queues jobs")
    func schedules() async throws {
        try await Self.live { setup in
            let (plane, client) = (setup.plane, setup.client)
            let directory = setup.directory
            let token = plane.ownerToken
            let world = try await setup.world()
            let destination = try await setup.destination()
            let schedules = "/api/environments/\(world.production)/backup-schedules"
            let staged = try await SnapshotAPITests.instance(
                client, plane, world.staging, name: "shop-staging", serverId: world.serverId)

            let made = try await send(
                client, .post, schedules, token: token,
                body: #"{"cron":"daily at 02:00","destinationId":"\#(destination)"}"#)
            #expect(made.status == 201, "\(made.text)")
            try await SnapshotAPITests.expectMatches(made, schema: "BackupSchedule", client)
            #expect(made["cron"]?.string == "daily at 02:00", "the text as given")
            #expect(made["retention"] == ["keepDaily": 7, "keepWeekly": 4, "keepMonthly": 3])
            #expect(made["verifyAfterBackup"] == .bool(false) && made["enabled"] == .bool(true))
            #expect(made["status"]?.string == "pending" && made["instanceId"] == nil)
            let id = try #require(made["id"]?.string)
            let stored = try #require(
                try await plane.store.backupSchedule(organizationId: plane.organization.id, id: id))
            #expect(stored.lastDueAt == stored.createdAt, "never missed before it existed")
            let daily = try CronSchedule("daily at 02:00")
            #expect(stored.nextRunAt == daily.next(after: stored.createdAt))

            let outsider = try await plane.makeTenant(slug: "outsider")
            let foreign = try await create(
                client, "/api/backup-destinations", token: outsider.token,
                body: #"{"name":"Theirs","kind":"local","path":"\#(directory)/theirs"}"#)
            let good = #""destinationId":"\#(destination)""#
            let refusals: [(String, String)] = [
                (#"{"cron":"every day",\#(good)}"#, "cron"),
                (#"{"cron":"0 0 30 2 *",\#(good)}"#, "cron"),
                (#"{"cron":"daily at 25:00",\#(good)}"#, "cron"),
                (#"{"cron":"daily","destinationId":"dst_nope"}"#, "destinationId"),
                (#"{"cron":"daily","destinationId":"\#(foreign)"}"#, "destinationId"),
                (#"{"cron":"daily",\#(good),"instanceId":"\#(staged)"}"#, "instanceId"),
                (#"{"cron":"daily",\#(good),"keepDaily":1001}"#, "keepDaily"),
                (#"{"cron":"daily",\#(good),"keepWeekly":-1}"#, "keepWeekly"),
                (#"{"cron":"daily",\#(good),"keepMonthly":"3"}"#, "keepMonthly"),
                (#"{"destinationId":"\#(destination)"}"#, "cron"),
            ]
            for (body, field) in refusals {
                try await Self.expectRefused(client, .post, schedules, token: token, body: body, field: field)
            }
            let listed = try await send(client, .get, schedules, token: token)
            #expect(listed.items.compactMap { $0["id"]?.string } == [id], "nothing refused was made")

            // PATCH: a new cron moves the next run; disabling clears it; enabling sets it again.
            let path = "\(schedules)/\(id)"
            let hourly = try await send(
                client, .patch, path, token: token,
                body: #"{"cron":"hourly","keepMonthly":12,"verifyAfterBackup":true}"#)
            #expect(hourly.status == 200, "\(hourly.text)")
            #expect(
                hourly["retention"]?["keepMonthly"]?.int == 12 && hourly["verifyAfterBackup"] == .bool(true))
            let afterCron = try #require(
                try await plane.store.backupSchedule(organizationId: plane.organization.id, id: id))
            #expect(afterCron.nextRunAt == (try CronSchedule("hourly")).next(after: afterCron.updatedAt))
            let off = try await send(client, .patch, path, token: token, body: #"{"enabled":false}"#)
            #expect(off["enabled"] == .bool(false) && off["nextRunAt"] == nil, "\(off.text)")
            let on = try await send(client, .patch, path, token: token, body: #"{"enabled":true}"#)
            #expect(on["nextRunAt"]?.string != nil, "\(on.text)")
            for (body, field) in [
                (#"{"cron":"sometimes"}"#, "cron"), (#"{"destinationId":"dst_nope"}"#, "destinationId"),
                (#"{"instanceId":"\#(staged)"}"#, "instanceId"), (#"{"keepDaily":5000}"#, "keepDaily"),
            ] {
                try await Self.expectRefused(client, .patch, path, token: token, body: body, field: field)
            }
            let unchanged = try await send(client, .get, path, token: token)
            #expect(unchanged["cron"]?.string == "hourly" && unchanged["retention"]?["keepDaily"]?.int == 7)

            // Another environment's path, another organization's token: 404, and nothing changes.
            let elsewhere = "/api/environments/\(world.staging)/backup-schedules/\(id)"
            for method in [HTTPRequest.Method.get, .delete] {
                #expect(try await send(client, method, elsewhere, token: token).status == 404)
                #expect(try await send(client, method, path, token: outsider.token).status == 404)
            }
            #expect(
                try await send(client, .patch, path, token: outsider.token, body: #"{"enabled":false}"#).status
                    == 404)
            #expect(try await send(client, .post, path + "/run", token: outsider.token).status == 404)
            #expect(try await send(client, .get, path, token: token)["enabled"] == .bool(true))

            // The destination is in use while the schedule is.
            let inUse = try await send(client, .delete, "/api/backup-destinations/\(destination)", token: token)
            #expect(inUse.status == 409 && inUse.errorCode == "destination_in_use", "\(inUse.text)")
            #expect(
                try await send(client, .get, "/api/backup-destinations/\(destination)", token: token).status
                    == 200)
            #expect(
                try await send(
                    client, .delete, "/api/backup-destinations/\(destination)", token: outsider.token
                )
                .status == 404)

            let deleted = try await send(client, .delete, path, token: token)
            #expect(deleted.status == 204, "\(deleted.text)")
            #expect(try await send(client, .get, path, token: token).status == 404)
        }
    }

    @Test("run queues a pending backup and a backup.run job per instance on the instance's key; none is a 409")
    func run() async throws {
        try await Self.live { setup in
            let (plane, client) = (setup.plane, setup.client)
            let token = plane.ownerToken
            let organizationId = plane.organization.id
            let world = try await setup.world()
            let destination = try await setup.destination()
            let schedules = "/api/environments/\(world.production)/backup-schedules"
            let all = try await create(
                client, schedules, token: token, body: #"{"cron":"daily","destinationId":"\#(destination)"}"#)

            let none = try await send(client, .post, "\(schedules)/\(all)/run", token: token)
            #expect(none.status == 409 && none.errorCode == "no_instance", "\(none.text)")

            let web = try await SnapshotAPITests.instance(
                client, plane, world.production, name: "web", serverId: world.serverId)
            let shop = try await SnapshotAPITests.instance(
                client, plane, world.production, name: "shop", serverId: world.serverId)
            let ran = try await send(client, .post, "\(schedules)/\(all)/run", token: token)
            #expect(ran.status == 202, "\(ran.text)")
            guard case .array(let backups)? = ran["backups"] else {
                Issue.record("no backups in \(ran.text)")
                return
            }
            #expect(Set(backups.compactMap { $0["instanceId"]?.string }) == [web, shop])
            for backup in backups {
                try await SnapshotAPITests.expectMatches(
                    Reply(status: 202, json: backup, text: "", headers: [:]), schema: "Backup", client)
                #expect(backup["status"]?.string == "pending" && backup["scheduleId"]?.string == all)
                #expect(backup["destinationId"]?.string == destination)
                let id = try #require(backup["id"]?.string)
                let record = try #require(try await plane.store.backup(organizationId: organizationId, id: id))
                let jobs = try await plane.store.jobs(organizationId: organizationId, subjectId: id)
                #expect(jobs.map(\.kind) == [.backupRun], "\(jobs)")
                #expect(jobs.first?.concurrencyKey == "instance:\(record.instanceId)")
            }

            let one = try await create(
                client, schedules, token: token,
                body: #"{"cron":"weekly","destinationId":"\#(destination)","instanceId":"\#(shop)"}"#)
            let single = try await send(client, .post, "\(schedules)/\(one)/run", token: token)
            #expect(single.status == 202, "\(single.text)")
            if case .array(let only)? = single["backups"] {
                #expect(only.compactMap { $0["instanceId"]?.string } == [shop])
            } else {
                Issue.record("no backups in \(single.text)")
            }
            let listed = try await send(
                client, .get, "/api/environments/\(world.production)/backups", token: token)
            #expect(listed.items.count == 3, "\(listed.text)")
            #expect(listed.items.first?["instanceId"]?.string == shop, "newest first")
        }
    }

    @Test("verify is refused unless the backup completed, then queues a drill once; another environment's is 404")
    func verify() async throws {
        try await Self.live { setup in
            let (plane, client) = (setup.plane, setup.client)
            let token = plane.ownerToken
            let organizationId = plane.organization.id
            let world = try await setup.world()
            let destination = try await setup.destination()
            let web = try await SnapshotAPITests.instance(
                client, plane, world.production, name: "web", serverId: world.serverId)
            var backup = Backup(
                organizationId: organizationId, environmentId: world.production, instanceId: web,
                destinationId: destination)
            try await plane.store.createBackup(backup)
            let path = "/api/environments/\(world.production)/backups/\(backup.id)"

            let early = try await send(client, .post, path + "/verify", token: token)
            #expect(early.status == 409 && early.errorCode == "backup_not_completed", "\(early.text)")
            #expect(try await plane.store.jobs(organizationId: organizationId, subjectId: backup.id).isEmpty)

            backup.status = .completed
            backup.sizeBytes = 4096
            backup.databaseSha256 = String(repeating: "a", count: 64)
            backup.completedAt = Date()
            _ = try await plane.store.updateBackup(backup)
            let queued = try await send(client, .post, path + "/verify", token: token)
            #expect(queued.status == 202 && queued["drillStatus"]?.string == "running", "\(queued.text)")
            try await SnapshotAPITests.expectMatches(queued, schema: "Backup", client)
            let jobs = try await plane.store.jobs(organizationId: organizationId, subjectId: backup.id)
            #expect(jobs.map(\.kind) == [.backupVerify] && jobs.first?.concurrencyKey == "instance:\(web)")
            let again = try await send(client, .post, path + "/verify", token: token)
            #expect(again.status == 409 && again.errorCode == "drill_running", "\(again.text)")

            let shown = try await send(client, .get, path, token: token)
            #expect(shown.status == 200 && shown["drillStatus"]?.string == "running")
            let elsewhere = "/api/environments/\(world.staging)/backups/\(backup.id)"
            #expect(try await send(client, .get, elsewhere, token: token).status == 404)
            #expect(try await send(client, .post, elsewhere + "/verify", token: token).status == 404)
            let outsider = try await plane.makeTenant(slug: "outsider")
            #expect(try await send(client, .get, path, token: outsider.token).status == 404)
            let theirs = try await send(
                client, .get, "/api/environments/\(world.production)/backups", token: outsider.token)
            #expect(theirs.status == 404, "\(theirs.text)")
        }
    }

    @Test("delete removes a finished backup's files at its destination and its record; a pending one is a 409")
    func delete() async throws {
        try await Self.live { setup in
            let (plane, client) = (setup.plane, setup.client)
            let token = plane.ownerToken
            let world = try await setup.world()
            let destination = try await setup.destination()
            let web = try await SnapshotAPITests.instance(
                client, plane, world.production, name: "web", serverId: world.serverId)
            var backup = Backup(
                organizationId: plane.organization.id, environmentId: world.production, instanceId: web,
                destinationId: destination)
            try await plane.store.createBackup(backup)
            let path = "/api/environments/\(world.production)/backups/\(backup.id)"
            let files = "\(setup.directory)/Vault/\(web)/\(backup.id)"
            try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
            try Data("dump".utf8).write(to: URL(fileURLWithPath: files + "/database.dump"))

            let early = try await send(client, .delete, path, token: token)
            #expect(early.status == 409 && early.errorCode == "backup_running", "\(early.text)")
            #expect(FileManager.default.fileExists(atPath: files + "/database.dump"))

            backup.status = .failed
            _ = try await plane.store.updateBackup(backup)
            let outsider = try await plane.makeTenant(slug: "deleter")
            #expect(try await send(client, .delete, path, token: outsider.token).status == 404)
            let removed = try await send(client, .delete, path, token: token)
            #expect(removed.status == 204, "\(removed.text)")
            #expect(!FileManager.default.fileExists(atPath: files))
            #expect(try await send(client, .get, path, token: token).status == 404)
        }
    }

    @Test("snapshot retention: unset rules are null; PUT sets, refuses out of range, and clears")
    func retention() async throws {
        try await Self.live { setup in
            let (plane, client) = (setup.plane, setup.client)
            let token = plane.ownerToken
            let world = try await setup.world()
            let path = "/api/environments/\(world.production)/snapshots/retention"

            let initial = try await send(client, .get, path, token: token)
            #expect(
                initial.status == 200 && initial.json == ["keepLast": .null, "keepDays": .null], "\(initial.text)")
            let set = try await send(client, .put, path, token: token, body: #"{"keepLast":5}"#)
            #expect(set.status == 200 && set.json == ["keepLast": 5, "keepDays": .null], "\(set.text)")
            try await SnapshotAPITests.expectMatches(set, schema: "SnapshotRetention", client)
            let both = try await send(client, .put, path, token: token, body: #"{"keepLast":10,"keepDays":30}"#)
            #expect(both.json == ["keepLast": 10, "keepDays": 30], "\(both.text)")
            let rules = try await plane.store.environmentsWithSnapshotRetention()
            #expect(rules.map(\.environmentId) == [world.production])
            #expect(rules.first?.retention == SnapshotRetention(keepLast: 10, keepDays: 30))

            for (body, field) in [
                (#"{"keepDays":0}"#, "keepDays"), (#"{"keepLast":10001}"#, "keepLast"),
                (#"{"keepLast":"5"}"#, "keepLast"), (#"{"keepForever":true}"#, "keepForever"),
            ] {
                try await Self.expectRefused(client, .put, path, token: token, body: body, field: field)
            }
            #expect(try await send(client, .get, path, token: token).json == ["keepLast": 10, "keepDays": 30])

            let cleared = try await send(client, .put, path, token: token, body: #"{"keepLast":null,"keepDays":7}"#)
            #expect(cleared.json == ["keepLast": .null, "keepDays": 7], "\(cleared.text)")
            let empty = try await send(client, .put, path, token: token)
            #expect(empty.status == 200 && empty.json == ["keepLast": .null, "keepDays": .null], "\(empty.text)")
            #expect(try await plane.store.environmentsWithSnapshotRetention().isEmpty)
            #expect(
                try await send(client, .get, "/api/environments/\(world.staging)/snapshots/retention", token: token)
                    .json == ["keepLast": .null, "keepDays": .null])

            let outsider = try await plane.makeTenant(slug: "outsider")
            #expect(try await send(client, .get, path, token: outsider.token).status == 404)
            let foreign = try await send(client, .put, path, token: outsider.token, body: #"{"keepLast":1}"#)
            #expect(foreign.status == 404)
            #expect(
                try await send(client, .get, path, token: token).json == ["keepLast": .null, "keepDays": .null])
        }
    }

    @Test("alerts: the open ones, all with ?all=true, resolved by hand; another environment's or org's is 404")
    func alerts() async throws {
        try await Self.live { setup in
            let (plane, client) = (setup.plane, setup.client)
            let token = plane.ownerToken
            let world = try await setup.world()
            let organizationId = plane.organization.id
            let missed = try await plane.store.raiseAlert(
                Alert(
                    organizationId: organizationId, environmentId: world.production, kind: .backupMissed,
                    subjectId: "bks_nightly", message: "2 scheduled backups did not run",
                    createdAt: Date(timeIntervalSinceNow: -60)))
            let failed = try await plane.store.raiseAlert(
                Alert(
                    organizationId: organizationId, environmentId: world.production, kind: .backupFailed,
                    subjectId: "bak_one", message: "the copy's sha256 does not match"))
            let alerts = "/api/environments/\(world.production)/alerts"

            let open = try await send(client, .get, alerts, token: token)
            #expect(open.items.compactMap { $0["id"]?.string } == [failed.id, missed.id], "newest first")
            try await SnapshotAPITests.expectMatches(
                Reply(status: 200, json: open.items.first, text: "", headers: [:]), schema: "Alert", client)

            let elsewhere = "/api/environments/\(world.staging)/alerts/\(missed.id)/resolve"
            #expect(try await send(client, .post, elsewhere, token: token).status == 404)
            let outsider = try await plane.makeTenant(slug: "outsider")
            #expect(
                try await send(client, .post, "\(alerts)/\(missed.id)/resolve", token: outsider.token).status == 404
            )
            #expect(try await send(client, .get, alerts, token: outsider.token).status == 404)

            let resolved = try await send(client, .post, "\(alerts)/\(missed.id)/resolve", token: token)
            #expect(resolved.status == 200 && resolved["resolvedAt"]?.string != nil, "\(resolved.text)")
            let again = try await send(client, .post, "\(alerts)/\(missed.id)/resolve", token: token)
            #expect(again.status == 200 && again["resolvedAt"] == resolved["resolvedAt"])
            #expect(
                try await send(client, .get, alerts, token: token).items.compactMap { $0["id"]?.string } == [
                    failed.id
                ])
            let all = try await send(client, .get, alerts + "?all=true", token: token)
            #expect(all.items.count == 2, "\(all.text)")
            let bad = try await send(client, .get, alerts + "?all=maybe", token: token)
            #expect(bad.status == 422 && bad.errorField == "all", "\(bad.text)")
            #expect(try await send(client, .post, "\(alerts)/alr_nope/resolve", token: token).status == 404)
        }
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
