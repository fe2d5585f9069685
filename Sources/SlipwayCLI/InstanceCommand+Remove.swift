import ArgumentParser
import SlipwayCore

extension InstanceCommand {
    /// `slipway instance remove ID --yes [--drop-data] [--wait]`
    struct Remove: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue the removal of an instance: its containers, its route and its record.",
            discussion: """
                Its database and filestore stay on the server unless --drop-data deletes them too; \
                take a snapshot first if you may want them back.
                """,
            aliases: ["delete"])

        @Argument(help: "The instance's id (ins_...).")
        var id: String

        @Flag(help: "Also delete its database (and role) and its filestore, for good.")
        var dropData = false

        @Flag(help: "Confirm: the instance is removed for good.")
        var yes = false

        @OptionGroup var wait: WaitOptions

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            guard yes || !dropData else {
                throw ValidationError(
                    "removing instance \(id) with --drop-data deletes its database and filestore, which cannot be "
                        + "undone: take a snapshot first if you may want them back, then add --yes to confirm")
            }
            try requireConfirmation(yes, "removing instance \(id)")
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            if dropData {
                session.note("warning: the database and the filestore of instance \(id) are deleted with it.")
            }
            let queued = try await session.client.delete(
                APIClient.path("instances", id) + "?dropData=\(dropData)", as: Job.self)
            guard wait.wait else {
                if session.json { return session.printJSON(queued.body) }
                let data =
                    dropData
                    ? "its database and filestore are deleted with it" : "its database and filestore stay on the server"
                return session.print("Queued removal of instance \(id) (job \(queued.value.id)); \(data).")
            }
            let watch = InstanceWatch(session: session, instanceId: id, timeout: wait.timeout)
            try watch.report(try await watch.wait(forJob: queued.value.id))
        }
    }
}
