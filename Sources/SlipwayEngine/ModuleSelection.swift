/// Which Odoo modules a deployment updates: the addons whose files changed between the commit that ran and
/// the new one. An addon is a directory with a `__manifest__.py`; a changed file belongs to the addon whose
/// directory holds it most closely. Files outside every addon (the Dockerfile, docs) update nothing.
enum ModuleSelection {
    /// The names of the changed addons, sorted. `files` are the new commit's files, `changed` the paths
    /// that differ (deleted addons are in `changed` but not in `files`, and are not updated).
    static func changedModules(changed: [String], files: [String]) -> [String] {
        let manifest = "__manifest__.py"
        let addonDirectories = files.compactMap { path -> String? in
            guard path == manifest || path.hasSuffix("/" + manifest) else { return nil }
            return String(path.dropLast(manifest.count + 1))
        }
        var modules = Set<String>()
        for path in changed {
            let owner = addonDirectories.filter { !$0.isEmpty && path.hasPrefix($0 + "/") }.max { $0.count < $1.count }
            if let owner, let name = owner.split(separator: "/").last {
                modules.insert(String(name))
            }
        }
        return modules.sorted()
    }
}
