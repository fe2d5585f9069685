import ArgumentParser
import Foundation
import SlipwayCore

extension EnvCommand {
    /// `--modules sale,stock` as the list the API takes: split at commas, spaces around each name trimmed.
    static func moduleList(_ modules: String) -> [String] {
        modules.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Checks the deploy settings given (`--health-timeout`, `--module-update`, `--modules`) as the server
    /// will, naming the option at fault. A `listed` module update needs modules only when `modules` is given:
    /// when it is nil, the environment's stored modules count, and only the server knows them.
    static func checkDeploySettings(
        healthTimeout: Int?, moduleUpdate: Environment.ModuleUpdatePolicy?, modules: [String]?
    ) throws {
        try checkArgument {
            do {
                try Environment(
                    organizationId: "", projectId: "", name: "", type: .development, branch: "",
                    healthCheckTimeoutSeconds: healthTimeout ?? Environment.defaultHealthCheckTimeout,
                    moduleUpdate: modules == nil ? .changed : moduleUpdate ?? .changed,
                    moduleUpdateModules: modules ?? []
                ).validateDeploySettings()
            } catch let error as SlipwayError {
                let flags = ["healthCheckTimeoutSeconds": "--health-timeout", "moduleUpdateModules": "--modules"]
                throw SlipwayError.invalid(flags[error.field ?? ""] ?? "--module-update", error.message)
            }
        }
    }
}
