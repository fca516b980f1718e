package io.sluice.client;

/**
 * Where a consumer starts a partition that has no committed offset for its group (or when it has no group), as
 * Kafka's {@code auto.offset.reset}.
 */
public enum OffsetReset
{
    /** From the first record the partition still holds. */
    EARLIEST,
    /** From the end: only records appended after the consumer started. */
    LATEST,
    /** Fail the receive Flux with {@link SluiceException.Kind#INVALID_REQUEST}. */
    NONE
}
