package io.sluice.client;

/**
 * When the broker acknowledges a produce request, as Kafka's {@code acks}.
 */
public enum Acks
{
    /** {@code acks=0}: no acknowledgement; a record counts as sent once offered to the connection. */
    NONE,
    /** {@code acks=1}: after the partition leader appended it. */
    LEADER,
    /** {@code acks=all}: after every in-sync replica has it (the leader alone on a single broker). */
    ALL
}
