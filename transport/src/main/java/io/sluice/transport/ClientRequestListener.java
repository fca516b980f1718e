package io.sluice.transport;

import io.sluice.codecs.client.ConnectRequestDecoder;
import io.sluice.codecs.client.CreateTopicRequestDecoder;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.JoinGroupRequestDecoder;
import org.agrona.DirectBuffer;

/**
 * What a broker does with each request {@link ClientRequestAdapter} decodes and validates.
 * <p>
 * Every method returns whether the request was taken: {@code false} leaves it in the client's image, to be
 * delivered again on a later poll (used when the client's response publication is back-pressured, so the broker
 * never takes a request it cannot answer). {@code sessionId} is the Aeron session id of the client's ingress
 * image: the connection's identity. Buffers are valid only during the call.
 */
public interface ClientRequestListener
{
    /**
     * A client asks to connect.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param decoder       positioned on the request's var data fields (read them in schema order).
     * @return true if taken.
     */
    boolean onConnect(int sessionId, long correlationId, ConnectRequestDecoder decoder);

    /**
     * A step of a client's authentication (SCRAM, RFC 5802): the client-first message, then the client-final.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param mechanism     the SASL mechanism name, {@code SCRAM-SHA-256}.
     * @param message       the client's SCRAM message.
     * @return true if taken.
     */
    default boolean onAuthenticate(int sessionId, long correlationId, String mechanism, String message)
    {
        return onUnauthenticated(sessionId, correlationId, -1);
    }

    /**
     * @param sessionId of the client's image.
     * @return whether the connection may make requests other than connect, heartbeat, disconnect and
     * authenticate: it authenticated, or the broker requires no authentication. Called for every such request, so
     * it must be cheap and allocation-free.
     */
    default boolean isAuthenticated(int sessionId)
    {
        return true;
    }

    /**
     * A request from a connection that has not authenticated, on a broker that requires it: answer
     * {@code NOT_AUTHENTICATED}, and take nothing of it.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request, or -1 if it has none.
     * @param templateId    of the request.
     * @return true if taken.
     */
    default boolean onUnauthenticated(int sessionId, long correlationId, int templateId)
    {
        return true;
    }

    /**
     * A client says it is still there.
     *
     * @param sessionId of the client's image.
     * @return true if taken.
     */
    boolean onHeartbeat(int sessionId);

    /**
     * A client leaves.
     *
     * @param sessionId of the client's image.
     * @return true if taken.
     */
    boolean onDisconnect(int sessionId);

    /**
     * Describe one topic, or all.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param topic         the name, empty for every topic.
     * @param includeConfig whether to add each topic's configuration.
     * @return true if taken.
     */
    boolean onMetadata(int sessionId, long correlationId, String topic, boolean includeConfig);

    /**
     * Create a topic.
     *
     * @param sessionId         of the client's image.
     * @param correlationId     of the request.
     * @param partitions        as requested, not validated.
     * @param replicationFactor as requested, not validated.
     * @param decoder           positioned on the configs group (read it, then the topic name).
     * @return true if taken.
     */
    boolean onCreateTopic(
        int sessionId, long correlationId, int partitions, int replicationFactor, CreateTopicRequestDecoder decoder);

    /**
     * Delete a topic.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param topic         name.
     * @return true if taken.
     */
    boolean onDeleteTopic(int sessionId, long correlationId, String topic);

    /**
     * Append a batch. Allocation-free path.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param topicId       as sent, not validated.
     * @param partition     as sent, not validated.
     * @param acks          raw value, not validated against {@code Acks}.
     * @param buffer        holding the batch bytes.
     * @param offset        of the batch.
     * @param length        of the batch bytes.
     * @return true if taken.
     */
    boolean onProduce(
        int sessionId,
        long correlationId,
        int topicId,
        int partition,
        short acks,
        DirectBuffer buffer,
        int offset,
        int length);

    /**
     * Open a fetch session.
     *
     * @param sessionId        of the client's image.
     * @param correlationId    of the request.
     * @param fetchSessionId   chosen by the client.
     * @param topicId          as sent.
     * @param partition        as sent.
     * @param fetchOffset      as sent: -2, -1 or an offset; anything else is invalid.
     * @param creditMode       raw value, not validated against {@code CreditMode}.
     * @param initialCredit    as sent.
     * @return true if taken.
     */
    boolean onFetch(
        int sessionId,
        long correlationId,
        long fetchSessionId,
        int topicId,
        int partition,
        long fetchOffset,
        short creditMode,
        long initialCredit);

    /**
     * More credit for a fetch session.
     *
     * @param sessionId      of the client's image.
     * @param fetchSessionId the fetch session.
     * @param credit         as sent.
     * @return true if taken.
     */
    boolean onFetchCredit(int sessionId, long fetchSessionId, long credit);

    /**
     * Close a fetch session.
     *
     * @param sessionId      of the client's image.
     * @param fetchSessionId the fetch session.
     * @return true if taken.
     */
    boolean onFetchClose(int sessionId, long fetchSessionId);

    /**
     * Commit a group's offset.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param group         name.
     * @param memberId      the committing member, empty for a commit from outside the membership.
     * @param generation    the member's generation, or -1.
     * @param topicId       as sent.
     * @param partition     as sent.
     * @param offset        as sent.
     * @return true if taken.
     */
    boolean onOffsetCommit(
        int sessionId,
        long correlationId,
        String group,
        String memberId,
        int generation,
        int topicId,
        int partition,
        long offset);

    /**
     * A member joins a group, or rejoins it for the next generation.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param decoder       positioned on the topics group: read it, then owned, then the group and member id.
     * @return true if taken.
     */
    boolean onJoinGroup(int sessionId, long correlationId, JoinGroupRequestDecoder decoder);

    /**
     * A member asks for its assignment in a generation.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param group         name.
     * @param memberId      as sent.
     * @param generation    as sent.
     * @return true if taken.
     */
    boolean onSyncGroup(int sessionId, long correlationId, String group, String memberId, int generation);

    /**
     * A member says it is alive.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param group         name.
     * @param memberId      as sent.
     * @param generation    as sent.
     * @return true if taken.
     */
    boolean onGroupHeartbeat(int sessionId, long correlationId, String group, String memberId, int generation);

    /**
     * A member leaves its group.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param group         name.
     * @param memberId      as sent.
     * @return true if taken.
     */
    boolean onLeaveGroup(int sessionId, long correlationId, String group, String memberId);

    /**
     * Add or remove an ACL.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param add           true to add, false to remove.
     * @param acl           validated.
     * @return true if taken.
     */
    default boolean onAlterAcl(int sessionId, long correlationId, boolean add, AclEntry acl)
    {
        return onMalformed(sessionId, correlationId, -1, ErrorCode.UNKNOWN_MESSAGE, "this broker has no ACLs");
    }

    /**
     * List every ACL.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @return true if taken.
     */
    default boolean onListAcls(int sessionId, long correlationId)
    {
        return onMalformed(sessionId, correlationId, -1, ErrorCode.UNKNOWN_MESSAGE, "this broker has no ACLs");
    }

    /**
     * List every group.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @return true if taken.
     */
    boolean onListGroups(int sessionId, long correlationId);

    /**
     * Describe one group.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param group         name.
     * @return true if taken.
     */
    boolean onDescribeGroup(int sessionId, long correlationId, String group);

    /**
     * Read a group's committed offset.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param group         name.
     * @param topicId       as sent.
     * @param partition     as sent.
     * @return true if taken.
     */
    boolean onOffsetFetch(int sessionId, long correlationId, String group, int topicId, int partition);

    /**
     * Find the first offset of a partition whose record timestamp is at or after a time.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request.
     * @param topicId       as sent.
     * @param partition     as sent.
     * @param timestamp     as sent, epoch milliseconds.
     * @return true if taken.
     */
    boolean onOffsetForTimestamp(int sessionId, long correlationId, int topicId, int partition, long timestamp);

    /**
     * A frame that could not be decoded: too short, another schema, a newer version, an unknown template, a block
     * or var data length that runs past the frame. Never throws; the adapter has already counted nothing.
     *
     * @param sessionId     of the client's image.
     * @param correlationId of the request if it could be read, else -1.
     * @param templateId    of the request if it could be read, else -1.
     * @param errorCode     {@code MALFORMED_FRAME}, {@code UNSUPPORTED_VERSION} or {@code UNKNOWN_MESSAGE}.
     * @param message       what is wrong, for the client and the log.
     * @return true if taken.
     */
    boolean onMalformed(int sessionId, long correlationId, int templateId, ErrorCode errorCode, String message);
}
