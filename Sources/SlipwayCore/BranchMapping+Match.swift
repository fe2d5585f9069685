extension BranchMapping {
    /// What starts a pattern for tag pushes: `tag:v*` deploys tags `v1.0`, `v2`...
    public static let tagPrefix = "tag:"

    /// Whether `branch` matches `pattern`. A `*` matches any run of characters, none included, within one
    /// path segment: it never matches a `/`, so `release/*` matches `release/1.2` but not `release/1.2/fix`
    /// nor `release`, and `feature-*` matches `feature-login` but not `feature-a/b`. Every other character
    /// matches itself, case included.
    public static func matches(pattern: String, branch: String) -> Bool {
        let patternSegments = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let branchSegments = branch.split(separator: "/", omittingEmptySubsequences: false)
        // A `*` stays inside its segment, so the segments pair up one to one.
        guard patternSegments.count == branchSegments.count else { return false }
        return zip(patternSegments, branchSegments).allSatisfy { segmentMatches(Array($0), Array($1)) }
    }

    /// Whether this mapping's pattern matches `branch` (see `matches(pattern:branch:)`).
    public func matches(_ branch: String) -> Bool {
        Self.matches(pattern: branchPattern, branch: branch)
    }

    /// Glob matching of one segment without `/`, in linear steps: on a mismatch it goes back to the last
    /// `*` and lets it take one more character (a later `*` can take whatever an earlier one would have).
    private static func segmentMatches(_ pattern: [Character], _ text: [Character]) -> Bool {
        var patternIndex = 0
        var textIndex = 0
        var star: (pattern: Int, text: Int)?
        while textIndex < text.count {
            if patternIndex < pattern.count, pattern[patternIndex] == "*" {
                star = (patternIndex, textIndex)
                patternIndex += 1
            } else if patternIndex < pattern.count, pattern[patternIndex] == text[textIndex] {
                patternIndex += 1
                textIndex += 1
            } else if let last = star {
                star = (last.pattern, last.text + 1)
                patternIndex = last.pattern + 1
                textIndex = last.text + 1
            } else {
                return false
            }
        }
        return pattern[patternIndex...].allSatisfy { $0 == "*" }
    }
}

extension Project {
    /// The environment a push to (or a deploy of) `branch` goes to, among `environments` (the project's):
    /// the matching branch mapping of the highest priority (on a tie the longer, more specific pattern, then
    /// the one listed first), else the first environment whose `branch` is exactly `branch`, else nil.
    /// A mapping to an environment that is not among `environments` (since deleted) is passed over.
    public func environmentId(forBranch branch: String, environments: [Environment]) -> String? {
        if let id = bestMapping(for: branch, tags: false, environments: environments) { return id }
        return environments.first { $0.branch == branch }?.id
    }

    /// The environment a push of `tag` deploys to: the best mapping whose pattern is `tag:` and a pattern for
    /// tag names (`tag:v*`), chosen like `environmentId(forBranch:environments:)` does; nil when no mapping
    /// asks for tags, since a tag is deployed only where one does.
    public func environmentId(forTag tag: String, environments: [Environment]) -> String? {
        bestMapping(for: tag, tags: true, environments: environments)
    }

    /// The best of the branch mappings (or, with `tags`, of the `tag:` ones, matched without the prefix).
    private func bestMapping(for name: String, tags: Bool, environments: [Environment]) -> String? {
        let known = Set(environments.map(\.id))
        var best: BranchMapping?
        for mapping in branchMappings
        where known.contains(mapping.environmentId) && mapping.branchPattern.hasPrefix(BranchMapping.tagPrefix) == tags
            && BranchMapping.matches(
                pattern: tags
                    ? String(mapping.branchPattern.dropFirst(BranchMapping.tagPrefix.count)) : mapping.branchPattern,
                branch: name)
        {
            guard let current = best else {
                best = mapping
                continue
            }
            if mapping.priority > current.priority
                || (mapping.priority == current.priority && mapping.branchPattern.count > current.branchPattern.count)
            {
                best = mapping
            }
        }
        return best?.environmentId
    }
}
