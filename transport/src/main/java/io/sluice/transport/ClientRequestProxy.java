package io.sluice.transport;

import io.aeron.Publication;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.Assignor;
import io.sluice.codecs.client.AlterAclRequestEncoder;
import io.sluice.codecs.client.AuthenticateRequestEncoder;
import io.sluice.codecs.client.ListAclsRequestEncoder;
import io.sluice.codecs.client.ConnectRequestEncoder;
import io.sluice.codecs.client.CreateTopicRequestEncoder;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.DeleteTopicRequestEncoder;
import io.sluice.codecs.client.DescribeGroupRequestEncoder;
import io.sluice.codecs.client.DisconnectEncoder;
import io.sluice.codecs.client.FetchCloseEncoder;
import io.sluice.codecs.client.FetchCreditEncoder;
import io.sluice.codecs.client.FetchRequestEncoder;
import io.sluice.codecs.client.GroupHeartbeatRequestEncoder;
import io.sluice.codecs.client.HeartbeatEncoder;
import io.sluice.codecs.client.JoinGroupRequestEncoder;
import io.sluice.codecs.client.LeaveGroupRequestEncoder;
import io.sluice.codecs.client.ListGroupsRequestEncoder;
import io.sluice.codecs.client.MessageHeaderEncoder;
import io.sluice.codecs.client.MetadataRequestEncoder;
import io.sluice.codecs.client.OffsetCommitRequestEncoder;
import io.sluice.codecs.client.OffsetFetchRequestEncoder;
import io.sluice.codecs.client.OffsetForTimestampRequestEncoder;
import io.sluice.codecs.client.ProduceRequestEncoder;
import io.sluice.codecs.client.SyncGroupRequestEncoder;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Collection;
import java.util.Map;

/**
 * The client's side of the client protocol: encodes requests and offers them to the connection's ingress
 * publication. Each method returns {@link Publication#offer}'s result: a new position, or a negative
 * {@code Publication} code.
 * <p>
 * Owned by the thread that uses the connection. Produce, fetch, credit and heartbeat requests are allocation-free;
 * a produce request's batch is offered from the caller's buffer, not copied first.
 */
final class ClientRequestProxy
{
    private final UnsafeBuffer headerBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(256, 64));
    private final ExpandableDirectByteBuffer adminBuffer = new ExpandableDirectByteBuffer(4096);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ConnectRequestEncoder connectEncoder = new ConnectRequestEncoder();
    private final AuthenticateRequestEncoder authenticateEncoder = new AuthenticateRequestEncoder();
    private final AlterAclRequestEncoder alterAclEncoder = new AlterAclRequestEncoder();
    private final ListAclsRequestEncoder listAclsEncoder = new ListAclsRequestEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final DisconnectEncoder disconnectEncoder = new DisconnectEncoder();
    private final MetadataRequestEncoder metadataEncoder = new MetadataRequestEncoder();
    private final CreateTopicRequestEncoder createTopicEncoder = new CreateTopicRequestEncoder();
    private final DeleteTopicRequestEncoder deleteTopicEncoder = new DeleteTopicRequestEncoder();
    private final ProduceRequestEncoder produceEncoder = new ProduceRequestEncoder();
    private final FetchRequestEncoder fetchEncoder = new FetchRequestEncoder();
    private final FetchCreditEncoder creditEncoder = new FetchCreditEncoder();
    private final FetchCloseEncoder fetchCloseEncoder = new FetchCloseEncoder();
    private final OffsetCommitRequestEncoder offsetCommitEncoder = new OffsetCommitRequestEncoder();
    private final OffsetFetchRequestEncoder offsetFetchEncoder = new OffsetFetchRequestEncoder();
    private final OffsetForTimestampRequestEncoder offsetForTimestampEncoder = new OffsetForTimestampRequestEncoder();
    private final JoinGroupRequestEncoder joinGroupEncoder = new JoinGroupRequestEncoder();
    private final SyncGroupRequestEncoder syncGroupEncoder = new SyncGroupRequestEncoder();
    private final GroupHeartbeatRequestEncoder groupHeartbeatEncoder = new GroupHeartbeatRequestEncoder();
    private final LeaveGroupRequestEncoder leaveGroupEncoder = new LeaveGroupRequestEncoder();
    private final ListGroupsRequestEncoder listGroupsEncoder = new ListGroupsRequestEncoder();
    private final DescribeGroupRequestEncoder describeGroupEncoder = new DescribeGroupRequestEncoder();
    private final Publication publication;

    ClientRequestProxy(final Publication publication)
    {
        this.publication = publication;
    }

    /** Length of everything a produce request adds in front of its batch. */
    static final int PRODUCE_HEADER_LENGTH =
        MessageHeaderEncoder.ENCODED_LENGTH + ProduceRequestEncoder.BLOCK_LENGTH + ProduceRequestEncoder.recordsHeaderLength();

    long produce(
        final long correlationId,
        final int topicId,
        final int partition,
        final Acks acks,
        final DirectBuffer batch,
        final int batchOffset,
        final int batchLength)
    {
        produceEncoder.wrapAndApplyHeader(headerBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .topicId(topicId)
            .partition(partition)
            .acks(acks);
        headerBuffer.putInt(PRODUCE_HEADER_LENGTH - ProduceRequestEncoder.recordsHeaderLength(), batchLength,
            ProduceRequestEncoder.BYTE_ORDER);
        return publication.offer(headerBuffer, 0, PRODUCE_HEADER_LENGTH, batch, batchOffset, batchLength);
    }

    long fetch(
        final long correlationId,
        final long sessionId,
        final int topicId,
        final int partition,
        final long fetchOffset,
        final CreditMode creditMode,
        final long initialCredit)
    {
        fetchEncoder.wrapAndApplyHeader(headerBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .topicId(topicId)
            .partition(partition)
            .fetchOffset(fetchOffset)
            .creditMode(creditMode)
            .initialCredit(initialCredit);
        return offer(headerBuffer, MessageHeaderEncoder.ENCODED_LENGTH + fetchEncoder.encodedLength());
    }

    long credit(final long sessionId, final long credit)
    {
        creditEncoder.wrapAndApplyHeader(headerBuffer, 0, headerEncoder).sessionId(sessionId).credit(credit);
        return offer(headerBuffer, MessageHeaderEncoder.ENCODED_LENGTH + creditEncoder.encodedLength());
    }

    long fetchClose(final long sessionId)
    {
        fetchCloseEncoder.wrapAndApplyHeader(headerBuffer, 0, headerEncoder).sessionId(sessionId);
        return offer(headerBuffer, MessageHeaderEncoder.ENCODED_LENGTH + fetchCloseEncoder.encodedLength());
    }

    long heartbeat(final long timestampMs)
    {
        heartbeatEncoder.wrapAndApplyHeader(headerBuffer, 0, headerEncoder).timestampMs(timestampMs);
        return offer(headerBuffer, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength());
    }

    long disconnect(final long correlationId)
    {
        disconnectEncoder.wrapAndApplyHeader(headerBuffer, 0, headerEncoder).correlationId(correlationId);
        return offer(headerBuffer, MessageHeaderEncoder.ENCODED_LENGTH + disconnectEncoder.encodedLength());
    }

    long connect(
        final long correlationId, final int responseStreamId, final String responseChannel, final String clientName)
    {
        connectEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .protocolVersion(ClientProtocol.PROTOCOL_VERSION)
            .responseStreamId(responseStreamId)
            .responseChannel(responseChannel)
            .clientName(clientName);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + connectEncoder.encodedLength());
    }

    long authenticate(final long correlationId, final String mechanism, final String message)
    {
        authenticateEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .mechanism(mechanism)
            .message(message);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + authenticateEncoder.encodedLength());
    }

    long metadata(final long correlationId, final String topic, final boolean includeConfig)
    {
        metadataEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .includeConfig((short)(includeConfig ? 1 : 0))
            .topic(null == topic ? "" : topic);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + metadataEncoder.encodedLength());
    }

    long createTopic(
        final long correlationId,
        final String topic,
        final int partitions,
        final int replicationFactor,
        final Map<String, String> configs)
    {
        final CreateTopicRequestEncoder.ConfigsEncoder group = createTopicEncoder
            .wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .partitions(partitions)
            .replicationFactor((short)replicationFactor)
            .configsCount(configs.size());
        for (final Map.Entry<String, String> entry : configs.entrySet())
        {
            group.next().key(entry.getKey()).value(entry.getValue());
        }
        createTopicEncoder.topic(topic);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + createTopicEncoder.encodedLength());
    }

    long deleteTopic(final long correlationId, final String topic)
    {
        deleteTopicEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder).correlationId(correlationId).topic(topic);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + deleteTopicEncoder.encodedLength());
    }

    long offsetCommit(
        final long correlationId,
        final String group,
        final String memberId,
        final int generation,
        final int topicId,
        final int partition,
        final long offset)
    {
        offsetCommitEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .topicId(topicId)
            .partition(partition)
            .committedOffset(offset)
            .generation(generation)
            .group(group)
            .memberId(memberId);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + offsetCommitEncoder.encodedLength());
    }

    long offsetFetch(final long correlationId, final String group, final int topicId, final int partition)
    {
        offsetFetchEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .topicId(topicId)
            .partition(partition)
            .group(group);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + offsetFetchEncoder.encodedLength());
    }

    long offsetForTimestamp(final long correlationId, final int topicId, final int partition, final long timestamp)
    {
        offsetForTimestampEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .topicId(topicId)
            .partition(partition)
            .timestamp(timestamp);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + offsetForTimestampEncoder.encodedLength());
    }

    long joinGroup(
        final long correlationId,
        final String group,
        final String memberId,
        final Assignor assignor,
        final int sessionTimeoutMs,
        final int rebalanceTimeoutMs,
        final Collection<String> topics,
        final Collection<PartitionRef> owned)
    {
        final JoinGroupRequestEncoder.TopicsEncoder topicsEncoder = joinGroupEncoder
            .wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionTimeoutMs(sessionTimeoutMs)
            .rebalanceTimeoutMs(rebalanceTimeoutMs)
            .assignor(assignor)
            .topicsCount(topics.size());
        for (final String topic : topics)
        {
            topicsEncoder.next().topic(topic);
        }
        final JoinGroupRequestEncoder.OwnedEncoder ownedEncoder = joinGroupEncoder.ownedCount(owned.size());
        for (final PartitionRef partition : owned)
        {
            ownedEncoder.next().partition(partition.partition()).topic(partition.topic());
        }
        joinGroupEncoder.group(group).memberId(memberId);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + joinGroupEncoder.encodedLength());
    }

    long syncGroup(final long correlationId, final String group, final String memberId, final int generation)
    {
        syncGroupEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .generation(generation)
            .group(group)
            .memberId(memberId);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + syncGroupEncoder.encodedLength());
    }

    long groupHeartbeat(final long correlationId, final String group, final String memberId, final int generation)
    {
        groupHeartbeatEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .generation(generation)
            .group(group)
            .memberId(memberId);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + groupHeartbeatEncoder.encodedLength());
    }

    long leaveGroup(final long correlationId, final String group, final String memberId)
    {
        leaveGroupEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .group(group)
            .memberId(memberId);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + leaveGroupEncoder.encodedLength());
    }

    long alterAcl(final long correlationId, final boolean add, final AclEntry acl)
    {
        alterAclEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .add((short)(add ? 1 : 0))
            .resourceType(acl.resourceType())
            .patternType(acl.patternType())
            .operation(acl.operation())
            .principal(acl.principal())
            .resourceName(acl.resourceName());
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + alterAclEncoder.encodedLength());
    }

    long listAcls(final long correlationId)
    {
        listAclsEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder).correlationId(correlationId);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + listAclsEncoder.encodedLength());
    }

    long listGroups(final long correlationId)
    {
        listGroupsEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder).correlationId(correlationId);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + listGroupsEncoder.encodedLength());
    }

    long describeGroup(final long correlationId, final String group)
    {
        describeGroupEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder).correlationId(correlationId).group(group);
        return offer(adminBuffer, MessageHeaderEncoder.ENCODED_LENGTH + describeGroupEncoder.encodedLength());
    }

    private long offer(final DirectBuffer buffer, final int length)
    {
        return publication.offer(buffer, 0, length);
    }
}
