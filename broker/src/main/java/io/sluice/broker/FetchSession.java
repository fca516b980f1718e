package io.sluice.broker;

import io.sluice.engine.PartitionLog;

/**
 * One partition streamed to one client connection from {@link #nextOffset}, within {@link #credit}: records or
 * bytes the client has allowed and the broker has not yet sent. The broker never sends past it.
 * <p>
 * Owned by the broker agent.
 */
final class FetchSession
{
    final ClientSession client;
    final long id;
    final Topic topic;
    final int partition;
    final PartitionLog log;
    final boolean creditInBytes;
    /** In a cluster: the replica whose high watermark bounds the reads; null on a single broker. */
    final Replica replica;
    long nextOffset;
    long credit;

    FetchSession(
        final ClientSession client,
        final long id,
        final Topic topic,
        final int partition,
        final boolean creditInBytes,
        final long nextOffset,
        final long credit,
        final Replica replica)
    {
        this.replica = replica;
        this.client = client;
        this.id = id;
        this.topic = topic;
        this.partition = partition;
        this.log = topic.partitions[partition];
        this.creditInBytes = creditInBytes;
        this.nextOffset = nextOffset;
        this.credit = credit;
    }

    void addCredit(final long more)
    {
        final long sum = credit + more;
        credit = sum < 0 ? Long.MAX_VALUE : sum;
    }
}
