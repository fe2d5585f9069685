/// One page of a list, with the total count of the whole list.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var total: Int
    public var limit: Int
    public var offset: Int

    public init(items: [Item], total: Int, limit: Int, offset: Int) {
        self.items = items
        self.total = total
        self.limit = limit
        self.offset = offset
    }
}

/// Where a page starts and how long it is, checked: limit 1 to 100, offset 0 or more.
public struct PageRequest: Sendable, Equatable {
    public var limit: Int
    public var offset: Int

    public init(limit: Int = 20, offset: Int = 0) throws {
        guard (1...100).contains(limit) else { throw SlipwayError.invalid("limit", "must be between 1 and 100") }
        guard offset >= 0 else { throw SlipwayError.invalid("offset", "must be 0 or more") }
        self.limit = limit
        self.offset = offset
    }
}
