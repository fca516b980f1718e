package io.sluice.broker;

import io.sluice.engine.PartitionLog;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayDeque;

/**
 * A partition this broker holds a replica of, in a cluster: its role and what the leader knows of its followers,
 * or what the follower knows of its leader. Owned by the broker agent.
 */
final class Replica
{
    /** A follower that has asked for nothing yet, or whose fetch was refused: it asks again at its retry time. */
    static final int NEEDS_FETCH = 0;
    /** A follower that sent a fetch and waits for the answer. */
    static final int FETCH_SENT = 1;
    /** A follower the leader is streaming to. */
    static final int FETCHING = 2;

    final Topic topic;
    final int partition;
    final PartitionLog log;

    boolean leader;
    int leaderId = -1;
    int leaderEpoch = -1;
    int partitionEpoch = -1;
    int[] replicas = new int[0];
    int[] isr = new int[0];
    long highWatermark;

    // ---- leader side
    final Int2ObjectHashMap<Follower> followers = new Int2ObjectHashMap<>();
    final ArrayDeque<PendingAck> pendingAcks = new ArrayDeque<>();
    long epochStartOffset;
    /** An AlterPartition is in flight: its ISR, or null. */
    int[] proposedIsr;

    // ---- follower side
    int fetchState = NEEDS_FETCH;
    long fetchId;
    long fetchRetryAtNs;
    long lastHeardNs;
    long progressSent = -1;
    long progressSentNs;

    Replica(final Topic topic, final int partition, final PartitionLog log)
    {
        this.topic = topic;
        this.partition = partition;
        this.log = log;
        this.highWatermark = log.logStartOffset();
    }

    boolean inIsr(final int brokerId)
    {
        return contains(isr, brokerId);
    }

    boolean isReplica(final int brokerId)
    {
        return contains(replicas, brokerId);
    }

    static boolean contains(final int[] ids, final int id)
    {
        for (final int candidate : ids)
        {
            if (candidate == id)
            {
                return true;
            }
        }
        return false;
    }

    public String toString()
    {
        return topic.name + '-' + partition + (leader ? " (leader" : " (follower of " + leaderId) +
            ", epoch " + leaderEpoch + ')';
    }

    /**
     * What a leader knows of one follower.
     */
    static final class Follower
    {
        final int brokerId;
        /** The follower's log end offset, or -1 until it reports in this leader epoch. */
        long logEndOffset = -1;
        /** The fetch being streamed, or 0 when none. */
        long fetchId;
        long nextOffset;
        long lastCaughtUpNs;
        long lastProgressNs;
        long leaderEndAtLastProgress = -1;
        long lastSentNs;
        long highWatermarkSent = -1;

        Follower(final int brokerId)
        {
            this.brokerId = brokerId;
        }
    }

    /**
     * An {@code acks=all} produce waiting for the high watermark to pass its batch.
     */
    static final class PendingAck
    {
        ClientSession session;
        long correlationId;
        long baseOffset;
        long requiredOffset;
        long deadlineNs;
    }
}
