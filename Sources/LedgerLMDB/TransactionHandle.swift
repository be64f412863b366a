import CLedgerLMDB

/// A copyable reference to a transaction, for modules of this package whose values cannot hold
/// a borrow of the non-copyable ``Transaction``. Valid only while the closure that lent the
/// transaction runs; never let one escape it.
package struct TransactionHandle {
    let pointer: OpaquePointer
    /// Whether the transaction may write.
    package let writable: Bool

    /// Lends the transaction for reading.
    package func read<R>(_ body: (borrowing ReadTransaction) throws -> R) rethrows -> R {
        try body(ReadTransaction(pointer: pointer))
    }

    /// Lends the transaction for writing; a programmer's error on a read-only transaction.
    package func write<R>(_ body: (inout WriteTransaction) throws -> R) rethrows -> R {
        precondition(writable, "a write through a read-only transaction")
        var txn = WriteTransaction(pointer: pointer)
        return try body(&txn)
    }
}

extension Transaction {
    /// A copyable reference to this transaction; see ``TransactionHandle``.
    package var handle: TransactionHandle {
        TransactionHandle(pointer: pointer, writable: Access.self == ReadWriteAccess.self)
    }
}
