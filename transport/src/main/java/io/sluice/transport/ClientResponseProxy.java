package io.sluice.transport;

import io.sluice.codecs.client.AdminResponseEncoder;
import io.sluice.codecs.client.ConnectResponseEncoder;
import io.sluice.codecs.client.DescribeGroupResponseEncoder;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.AuthenticateResponseEncoder;
import io.sluice.codecs.client.ListAclsResponseEncoder;
import io.sluice.codecs.client.ErrorResponseEncoder;
import io.sluice.codecs.client.FetchDataEncoder;
import io.sluice.codecs.client.FetchStatusEncoder;
import io.sluice.codecs.client.GroupResponseEncoder;
import io.sluice.codecs.client.JoinGroupResponseEncoder;
import io.sluice.codecs.client.ListGroupsResponseEncoder;
import io.sluice.codecs.client.MessageHeaderEncoder;
import io.sluice.codecs.client.MetadataResponseEncoder;
import io.sluice.codecs.client.OffsetResponseEncoder;
import io.sluice.codecs.client.ProduceResponseEncoder;
import io.sluice.codecs.client.SyncGroupResponseEncoder;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.List;

/**
 * The broker's side of the client protocol: encodes each response into one reused buffer, from which the caller
 * offers it to the client's publication (and keeps a copy if the publication is back-pressured).
 * <p>
 * Owned by the broker's agent thread. Allocation-free except for error messages, which only failures carry.
 */
public final class ClientResponseProxy
{
    private static final int INITIAL_CAPACITY = 64 * 1024;

    private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(INITIAL_CAPACITY);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ConnectResponseEncoder connectEncoder = new ConnectResponseEncoder();
    private final ErrorResponseEncoder errorEncoder = new ErrorResponseEncoder();
    private final AuthenticateResponseEncoder authenticateEncoder = new AuthenticateResponseEncoder();
    private final ListAclsResponseEncoder listAclsEncoder = new ListAclsResponseEncoder();
    private final MetadataResponseEncoder metadataEncoder = new MetadataResponseEncoder();
    private final AdminResponseEncoder adminEncoder = new AdminResponseEncoder();
    private final ProduceResponseEncoder produceEncoder = new ProduceResponseEncoder();
    private final FetchStatusEncoder fetchStatusEncoder = new FetchStatusEncoder();
    private final FetchDataEncoder fetchDataEncoder = new FetchDataEncoder();
    private final OffsetResponseEncoder offsetEncoder = new OffsetResponseEncoder();
    private final JoinGroupResponseEncoder joinGroupEncoder = new JoinGroupResponseEncoder();
    private final SyncGroupResponseEncoder syncGroupEncoder = new SyncGroupResponseEncoder();
    private final GroupResponseEncoder groupEncoder = new GroupResponseEncoder();
    private final ListGroupsResponseEncoder listGroupsEncoder = new ListGroupsResponseEncoder();
    private final DescribeGroupResponseEncoder describeGroupEncoder = new DescribeGroupResponseEncoder();

    /**
     * The buffer every method encodes into, from index 0.
     *
     * @return the buffer.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @param correlationId   of the request.
     * @param errorCode       outcome.
     * @param brokerId        of this broker.
     * @param connectionId    the broker's name for the connection.
     * @param maxFrameLength  largest message the broker sends on the connection.
     * @param clientTimeoutMs after which a silent connection is closed.
     * @param errorMessage    empty on success.
     * @return the encoded length.
     */
    public int connectResponse(
        final long correlationId,
        final ErrorCode errorCode,
        final int brokerId,
        final long connectionId,
        final int maxFrameLength,
        final int clientTimeoutMs,
        final String errorMessage)
    {
        connectEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(errorCode)
            .brokerId(brokerId)
            .connectionId(connectionId)
            .maxFrameLength(maxFrameLength)
            .clientTimeoutMs(clientTimeoutMs)
            .errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + connectEncoder.encodedLength();
    }

    /**
     * @param correlationId of the authenticate request.
     * @param errorCode     {@code NONE}, or {@code AUTHENTICATION_FAILED}.
     * @param message       the server's SCRAM message (empty on failure).
     * @param errorMessage  why it failed, empty otherwise.
     * @return length encoded into {@link #buffer()}.
     */
    public int authenticateResponse(
        final long correlationId, final ErrorCode errorCode, final String message, final String errorMessage)
    {
        authenticateEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(errorCode)
            .message(message)
            .errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + authenticateEncoder.encodedLength();
    }

    /**
     * @param correlationId     of the request, or -1.
     * @param errorCode         what went wrong.
     * @param requestTemplateId of the request, or -1.
     * @param errorMessage      what went wrong, for people.
     * @return the encoded length.
     */
    public int errorResponse(
        final long correlationId, final ErrorCode errorCode, final int requestTemplateId, final String errorMessage)
    {
        errorEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(errorCode)
            .requestTemplateId(requestTemplateId)
            .errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + errorEncoder.encodedLength();
    }

    /**
     * Start a metadata response; add the topics group and the error message to the returned encoder, then call
     * {@link #encodedLength(MetadataResponseEncoder)}.
     *
     * @param correlationId of the request.
     * @param errorCode     outcome.
     * @param brokerId      of this broker.
     * @param coordinatorId the broker that coordinates consumer groups, or -1 when none is now.
     * @return the encoder, positioned at the topics group.
     */
    public MetadataResponseEncoder metadataResponse(
        final long correlationId, final ErrorCode errorCode, final int brokerId, final int coordinatorId)
    {
        return metadataEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(errorCode)
            .brokerId(brokerId)
            .coordinatorId(coordinatorId);
    }

    /**
     * @param encoder returned by {@link #metadataResponse}, fully encoded.
     * @return the encoded length.
     */
    public int encodedLength(final MetadataResponseEncoder encoder)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * @param correlationId of the request.
     * @param errorCode     outcome.
     * @param topicId       created, or -1.
     * @param errorMessage  empty on success.
     * @return the encoded length.
     */
    public int adminResponse(
        final long correlationId, final ErrorCode errorCode, final int topicId, final String errorMessage)
    {
        adminEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(errorCode)
            .topicId(topicId)
            .errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + adminEncoder.encodedLength();
    }

    /**
     * @param correlationId  of the request.
     * @param topicId        of the request.
     * @param partition      of the request.
     * @param errorCode      outcome.
     * @param baseOffset     assigned, or -1.
     * @param logStartOffset of the partition, or -1.
     * @param errorMessage   empty on success.
     * @return the encoded length.
     */
    public int produceResponse(
        final long correlationId,
        final int topicId,
        final int partition,
        final ErrorCode errorCode,
        final long baseOffset,
        final long logStartOffset,
        final String errorMessage)
    {
        produceEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .topicId(topicId)
            .partition(partition)
            .errorCode(errorCode)
            .baseOffset(baseOffset)
            .logStartOffset(logStartOffset)
            .errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + produceEncoder.encodedLength();
    }

    /**
     * @param correlationId  of the fetch request, or -1.
     * @param sessionId      the fetch session.
     * @param errorCode      outcome.
     * @param nextOffset     the session delivers next.
     * @param logStartOffset of the partition.
     * @param highWatermark  of the partition.
     * @param errorMessage   empty on success.
     * @return the encoded length.
     */
    public int fetchStatus(
        final long correlationId,
        final long sessionId,
        final ErrorCode errorCode,
        final long nextOffset,
        final long logStartOffset,
        final long highWatermark,
        final String errorMessage)
    {
        fetchStatusEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .errorCode(errorCode)
            .nextOffset(nextOffset)
            .logStartOffset(logStartOffset)
            .highWatermark(highWatermark)
            .errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + fetchStatusEncoder.encodedLength();
    }

    /**
     * Encode the part of a fetch data message that precedes the batch bytes, length prefix included; the caller
     * offers it together with the batches, straight from the log's mapped buffer.
     *
     * @param sessionId     the fetch session.
     * @param topicId       of the partition.
     * @param partition     read.
     * @param fromOffset    first offset to deliver.
     * @param toOffset      last offset to deliver.
     * @param highWatermark of the partition.
     * @param recordsLength bytes of whole batches that follow.
     * @return the length of the part encoded.
     */
    public int fetchDataHeader(
        final long sessionId,
        final int topicId,
        final int partition,
        final long fromOffset,
        final long toOffset,
        final long highWatermark,
        final int recordsLength)
    {
        fetchDataEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .topicId(topicId)
            .partition(partition)
            .fromOffset(fromOffset)
            .toOffset(toOffset)
            .highWatermark(highWatermark);
        final int lengthOffset = MessageHeaderEncoder.ENCODED_LENGTH + FetchDataEncoder.BLOCK_LENGTH;
        buffer.putInt(lengthOffset, recordsLength, FetchDataEncoder.BYTE_ORDER);
        return lengthOffset + FetchDataEncoder.recordsHeaderLength();
    }

    /**
     * @param correlationId   of the request.
     * @param errorCode       outcome.
     * @param committedOffset the group's offset, or -1.
     * @param errorMessage    empty on success.
     * @return the encoded length.
     */
    public int offsetResponse(
        final long correlationId, final ErrorCode errorCode, final long committedOffset, final String errorMessage)
    {
        offsetEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(errorCode)
            .committedOffset(committedOffset)
            .errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + offsetEncoder.encodedLength();
    }

    /**
     * @param correlationId of the request.
     * @param errorCode     outcome.
     * @param generation    the generation formed, or -1.
     * @param memberId      the member's id, or empty.
     * @param errorMessage  empty on success.
     * @return the encoded length.
     */
    public int joinGroupResponse(
        final long correlationId,
        final ErrorCode errorCode,
        final int generation,
        final String memberId,
        final String errorMessage)
    {
        joinGroupEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(errorCode)
            .generation(generation)
            .memberId(memberId)
            .errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + joinGroupEncoder.encodedLength();
    }

    /**
     * @param correlationId of the request.
     * @param errorCode     outcome.
     * @param generation    of the assignment, or -1.
     * @param assignment    the member's partitions; empty on error.
     * @param errorMessage  empty on success.
     * @return the encoded length.
     */
    public int syncGroupResponse(
        final long correlationId,
        final ErrorCode errorCode,
        final int generation,
        final List<PartitionRef> assignment,
        final String errorMessage)
    {
        final SyncGroupResponseEncoder.AssignmentEncoder group = syncGroupEncoder
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(errorCode)
            .generation(generation)
            .assignmentCount(assignment.size());
        for (final PartitionRef partition : assignment)
        {
            group.next().partition(partition.partition()).topic(partition.topic());
        }
        syncGroupEncoder.errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + syncGroupEncoder.encodedLength();
    }

    /**
     * The answer to a group heartbeat or leave.
     *
     * @param correlationId of the request.
     * @param errorCode     outcome; {@code REBALANCE_IN_PROGRESS} asks a member to rejoin.
     * @param generation    the group's current generation.
     * @param errorMessage  empty on success.
     * @return the encoded length.
     */
    public int groupResponse(
        final long correlationId, final ErrorCode errorCode, final int generation, final String errorMessage)
    {
        groupEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(errorCode)
            .generation(generation)
            .errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + groupEncoder.encodedLength();
    }

    /**
     * @param correlationId of the request.
     * @param errorCode     outcome.
     * @param acls          every ACL; empty on error.
     * @param errorMessage  empty on success.
     * @return the encoded length.
     */
    public int listAclsResponse(
        final long correlationId, final ErrorCode errorCode, final List<AclEntry> acls, final String errorMessage)
    {
        final ListAclsResponseEncoder.AclsEncoder group = listAclsEncoder
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(errorCode)
            .aclsCount(acls.size());
        for (final AclEntry acl : acls)
        {
            group.next()
                .resourceType(acl.resourceType())
                .patternType(acl.patternType())
                .operation(acl.operation())
                .principal(acl.principal())
                .resourceName(acl.resourceName());
        }
        listAclsEncoder.errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + listAclsEncoder.encodedLength();
    }

    /**
     * @param correlationId of the request.
     * @param groups        every group.
     * @return the encoded length.
     */
    public int listGroupsResponse(final long correlationId, final List<GroupListing> groups)
    {
        return listGroupsResponse(correlationId, ErrorCode.NONE, groups, "");
    }

    /**
     * @param correlationId of the request.
     * @param errorCode     outcome.
     * @param groups        every group; empty on error.
     * @param errorMessage  empty on success.
     * @return the encoded length.
     */
    public int listGroupsResponse(
        final long correlationId, final ErrorCode errorCode, final List<GroupListing> groups, final String errorMessage)
    {
        final ListGroupsResponseEncoder.GroupsEncoder group = listGroupsEncoder
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(errorCode)
            .groupsCount(groups.size());
        for (final GroupListing listing : groups)
        {
            group.next()
                .state(listing.state())
                .members(listing.members())
                .generation(listing.generation())
                .name(listing.name())
                .assignor(listing.assignor());
        }
        listGroupsEncoder.errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + listGroupsEncoder.encodedLength();
    }

    /**
     * @param correlationId of the request.
     * @param errorCode     outcome.
     * @param description   the group, or null on error.
     * @param errorMessage  empty on success.
     * @return the encoded length.
     */
    public int describeGroupResponse(
        final long correlationId,
        final ErrorCode errorCode,
        final GroupDescription description,
        final String errorMessage)
    {
        final DescribeGroupResponseEncoder e = describeGroupEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(errorCode);
        final List<GroupDescription.Member> members = null == description ? List.of() : description.members();
        final List<GroupDescription.PartitionOffset> offsets = null == description ? List.of() : description.offsets();
        if (null != description)
        {
            e.state(description.state()).generation(description.generation());
        }
        final DescribeGroupResponseEncoder.MembersEncoder membersEncoder = e.membersCount(members.size());
        for (final GroupDescription.Member member : members)
        {
            membersEncoder.next().sessionTimeoutMs(member.sessionTimeoutMs());
            final DescribeGroupResponseEncoder.MembersEncoder.AssignmentEncoder assignment =
                membersEncoder.assignmentCount(member.assignment().size());
            for (final PartitionRef partition : member.assignment())
            {
                assignment.next().partition(partition.partition()).topic(partition.topic());
            }
            membersEncoder.memberId(member.memberId()).clientName(member.clientName());
        }
        final DescribeGroupResponseEncoder.OffsetsEncoder offsetsEncoder = e.offsetsCount(offsets.size());
        for (final GroupDescription.PartitionOffset offset : offsets)
        {
            offsetsEncoder.next()
                .partition(offset.partition().partition())
                .committedOffset(offset.committedOffset())
                .endOffset(offset.endOffset())
                .topic(offset.partition().topic())
                .memberId(offset.memberId());
        }
        e.name(null == description ? "" : description.name())
            .assignor(null == description ? "" : description.assignor())
            .errorMessage(errorMessage);
        return MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
    }
}
