import Foundation
import SlipwayCore
import SlipwayDrivers

/// What an Odoo module update did: its exit code and every line it wrote.
public struct ModuleUpdateResult: Sendable, Equatable {
    public var exitCode: Int
    public var lines: [String]

    public var succeeded: Bool { exitCode == 0 }
}

extension InstanceOperations {
    /// Runs Odoo's module update, `odoo -c /etc/odoo/odoo.conf -d DB -u MODULES --stop-after-init`, in a
    /// one-off container of `image` with the instance's configuration, database and filestore (the
    /// deployment pipeline calls it on the new image before switching). The container is removed
    /// afterwards, whatever happened; a non-zero exit is an answer, not an error.
    public func updateModules(
        _ instance: Instance, image: String, modules: [String], deadline: Duration = .seconds(1800)
    ) async throws -> ModuleUpdateResult {
        guard instance.kind == .odoo else {
            throw SlipwayError(.conflict, code: "not_odoo", message: "module updates are for Odoo instances")
        }
        let target = try await target(instance)
        let database = try await ensureDatabase(instance, target)
        let command = try odooConfig(instance, database).moduleUpdateCommand(modules: modules)
        var updateLabels = labels(instance)
        updateLabels.extra["io.slipway.role"] = "module-update"
        let name = "slipway-\(instance.id)-update-\(Identifier.secret(bytes: 4))"
        let id = try await createContainer(
            instance, image: image, name: name, labels: updateLabels, command: command, ports: [], restartPolicy: .no,
            target)
        do {
            try await target.docker.startContainer(id)
            let exitCode = try await target.docker.waitForContainer(id, until: .notRunning, timeout: deadline)
            let lines = try await target.docker.logs(id).collect().map(\.text)
            try await target.docker.removeContainer(id, force: true, removeVolumes: true)
            logger.info(
                "module update finished",
                metadata: [
                    "instance": "\(instance.id)", "modules": "\(modules.joined(separator: ","))", "exit": "\(exitCode)",
                ])
            return ModuleUpdateResult(exitCode: exitCode, lines: lines)
        } catch {
            try? await target.docker.removeContainer(id, force: true, removeVolumes: true)
            throw error
        }
    }
}
