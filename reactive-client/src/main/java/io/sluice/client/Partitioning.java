package io.sluice.client;

/**
 * Where a producer sends a record that names no partition and has no key. A keyed record always goes to the
 * partition its key hashes to, so equal keys keep their order.
 */
public enum Partitioning
{
    /** Stay on one partition until a request has been sent, then move on: fuller batches (Kafka's default). */
    STICKY,
    /** Each record to the next partition in turn. */
    ROUND_ROBIN
}
