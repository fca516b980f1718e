package io.sluice.transport;

import io.sluice.codecs.client.ErrorCode;
import org.agrona.DirectBuffer;

import java.util.List;

/**
 * What a client application does with the asynchronous responses {@link ClientConnection#poll} delivers: produce
 * acknowledgements, fetch session status and fetched batches, and errors. Responses to the connection's blocking
 * admin calls never reach it. Methods are called on the polling thread; buffers are valid only during the call.
 * Every method has an empty default.
 */
public interface ClientResponseListener
{
    /**
     * A produce request was answered: appended ({@code NONE}) or refused.
     *
     * @param correlationId  of the request.
     * @param topicId        of the request.
     * @param partition      of the request.
     * @param errorCode      outcome.
     * @param baseOffset     offset of the batch's first record, or -1.
     * @param logStartOffset of the partition, or -1.
     * @param errorMessage   empty on success (no allocation), else what went wrong.
     */
    default void onProduceResponse(
        final long correlationId,
        final int topicId,
        final int partition,
        final ErrorCode errorCode,
        final long baseOffset,
        final long logStartOffset,
        final String errorMessage)
    {
    }

    /**
     * A fetch session opened ({@code NONE}, from {@code nextOffset}) or ended with an error.
     *
     * @param correlationId  of the fetch request, or -1 for an ending no request caused.
     * @param sessionId      the fetch session.
     * @param errorCode      outcome.
     * @param nextOffset     the offset the session delivers next.
     * @param logStartOffset of the partition.
     * @param highWatermark  of the partition.
     * @param errorMessage   empty on success.
     */
    default void onFetchStatus(
        final long correlationId,
        final long sessionId,
        final ErrorCode errorCode,
        final long nextOffset,
        final long logStartOffset,
        final long highWatermark,
        final String errorMessage)
    {
    }

    /**
     * Whole batches for a fetch session; deliver only the records with offsets from {@code fromOffset} to
     * {@code toOffset}, as {@link FetchedRecords} does.
     *
     * @param sessionId     the fetch session.
     * @param topicId       of the partition.
     * @param partition     read.
     * @param fromOffset    first offset to deliver.
     * @param toOffset      last offset to deliver.
     * @param highWatermark of the partition.
     * @param buffer        holding the batches.
     * @param offset        of the first batch.
     * @param length        of the batches.
     */
    default void onFetchData(
        final long sessionId,
        final int topicId,
        final int partition,
        final long fromOffset,
        final long toOffset,
        final long highWatermark,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
    }

    /**
     * The broker could not decode a request, or a request without a response of its own failed (fetch credit
     * for an unknown session, for example).
     *
     * @param correlationId     of the request, or -1.
     * @param errorCode         what went wrong.
     * @param requestTemplateId of the request, or -1.
     * @param errorMessage      what went wrong, for people.
     */
    default void onError(
        final long correlationId, final ErrorCode errorCode, final int requestTemplateId, final String errorMessage)
    {
    }

    /**
     * A join was answered: the group's new generation formed with this member in it ({@code NONE}), or the join
     * was refused.
     *
     * @param correlationId of the join request.
     * @param errorCode     outcome.
     * @param generation    the new generation, or -1.
     * @param memberId      the member's id (given by the broker on a first join), or empty.
     * @param errorMessage  empty on success.
     */
    default void onJoinGroupResponse(
        final long correlationId,
        final ErrorCode errorCode,
        final int generation,
        final String memberId,
        final String errorMessage)
    {
    }

    /**
     * A sync was answered with the member's partitions for a generation, or refused.
     *
     * @param correlationId of the sync request.
     * @param errorCode     outcome.
     * @param generation    of the assignment.
     * @param assignment    the partitions the member reads, sorted.
     * @param errorMessage  empty on success.
     */
    default void onSyncGroupResponse(
        final long correlationId,
        final ErrorCode errorCode,
        final int generation,
        final List<PartitionRef> assignment,
        final String errorMessage)
    {
    }

    /**
     * A group heartbeat or leave was answered. For a heartbeat, {@code REBALANCE_IN_PROGRESS} means join again;
     * {@code UNKNOWN_MEMBER} or {@code ILLEGAL_GENERATION} mean the member was removed or is behind, and must give
     * up its partitions and join again.
     *
     * @param correlationId of the request.
     * @param errorCode     outcome.
     * @param generation    the group's current generation.
     * @param errorMessage  empty on success.
     */
    default void onGroupResponse(
        final long correlationId, final ErrorCode errorCode, final int generation, final String errorMessage)
    {
    }
}
