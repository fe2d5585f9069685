import ArgumentParser
import SlipwayCore

extension SnapshotCommand {
    /// `slipway snapshot estimate --environment ENV_ID [--instance INSTANCE_ID]`
    struct Estimate: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "How much room the next snapshot takes at most: each database's size and filestore's size.",
            discussion: """
                Measured on the instances' servers now. A dump is usually smaller than its database and an \
                archive than its files, so this is an upper bound.
                """)

        @OptionGroup var environment: EnvironmentOption

        @Option(help: ArgumentHelp("Only this instance of the environment (ins_...).", valueName: "id"))
        var instance: String?

        @OptionGroup var options: GlobalOptions

        /// The API's answer.
        struct Sizes: Decodable, Sendable {
            struct Part: Decodable, Sendable {
                var instanceId: String
                var databaseBytes: Int
                var filestoreBytes: Int
            }

            var databaseBytes: Int
            var filestoreBytes: Int
            var totalBytes: Int
            var instances: [Part]
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            let reply = try await SnapshotCommand.explaining(environment: env) {
                try await session.client.get(
                    SnapshotCommand.path(env, "estimate") + SnapshotCommand.query("instanceId", instance),
                    as: Sizes.self)
            }
            if session.json { return session.printJSON(reply.body) }
            let sizes = reply.value
            guard !sizes.instances.isEmpty else { return session.print("No instances with a database to snapshot.") }
            let rows = sizes.instances.map { part in
                [
                    part.instanceId, Snapshot.bytes(part.databaseBytes), Snapshot.bytes(part.filestoreBytes),
                    Snapshot.bytes(part.databaseBytes + part.filestoreBytes),
                ]
            }
            session.print(Table(headers: ["INSTANCE", "DATABASE", "FILESTORE", "TOTAL"], rows: rows).render())
            session.print(
                "total: \(Snapshot.bytes(sizes.totalBytes)) at most (database \(Snapshot.bytes(sizes.databaseBytes)), "
                    + "filestore \(Snapshot.bytes(sizes.filestoreBytes)))")
        }
    }
}
