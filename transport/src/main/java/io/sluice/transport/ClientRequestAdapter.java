package io.sluice.transport;

import io.aeron.ControlledFragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.codecs.client.AclOperation;
import io.sluice.codecs.client.AclPatternType;
import io.sluice.codecs.client.AclResourceType;
import io.sluice.codecs.client.AlterAclRequestDecoder;
import io.sluice.codecs.client.AuthenticateRequestDecoder;
import io.sluice.codecs.client.ListAclsRequestDecoder;
import io.sluice.codecs.client.ConnectRequestDecoder;
import io.sluice.codecs.client.CreateTopicRequestDecoder;
import io.sluice.codecs.client.DeleteTopicRequestDecoder;
import io.sluice.codecs.client.DisconnectDecoder;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.FetchCloseDecoder;
import io.sluice.codecs.client.FetchCreditDecoder;
import io.sluice.codecs.client.FetchRequestDecoder;
import io.sluice.codecs.client.DescribeGroupRequestDecoder;
import io.sluice.codecs.client.GroupHeartbeatRequestDecoder;
import io.sluice.codecs.client.HeartbeatDecoder;
import io.sluice.codecs.client.JoinGroupRequestDecoder;
import io.sluice.codecs.client.LeaveGroupRequestDecoder;
import io.sluice.codecs.client.ListGroupsRequestDecoder;
import io.sluice.codecs.client.SyncGroupRequestDecoder;
import io.sluice.codecs.client.MessageHeaderDecoder;
import io.sluice.codecs.client.MetadataRequestDecoder;
import io.sluice.codecs.client.OffsetCommitRequestDecoder;
import io.sluice.codecs.client.OffsetFetchRequestDecoder;
import io.sluice.codecs.client.OffsetForTimestampRequestDecoder;
import io.sluice.codecs.client.ProduceRequestDecoder;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;

/**
 * The broker's side of the client protocol: polls ingress subscriptions, validates every frame and dispatches it
 * to a {@link ClientRequestListener}.
 * <p>
 * Validation, before the listener sees anything: the frame holds a message header; the schema is the client
 * protocol; the version is not newer than this build's; the template is a request; the block is at least as long
 * as this build's; and walking every group and var data field ends inside the frame. Field values (topic ids,
 * offsets, enums, credit) are the listener's to check. A frame that fails goes to
 * {@link ClientRequestListener#onMalformed}; nothing a client sends makes this class throw.
 * <p>
 * Owned by the broker's agent thread. Allocation-free for produce, fetch, credit and heartbeat requests; admin
 * requests decode their names into strings.
 */
public final class ClientRequestAdapter implements ControlledFragmentHandler
{
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectRequestDecoder connectDecoder = new ConnectRequestDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final DisconnectDecoder disconnectDecoder = new DisconnectDecoder();
    private final MetadataRequestDecoder metadataDecoder = new MetadataRequestDecoder();
    private final CreateTopicRequestDecoder createTopicDecoder = new CreateTopicRequestDecoder();
    private final DeleteTopicRequestDecoder deleteTopicDecoder = new DeleteTopicRequestDecoder();
    private final ProduceRequestDecoder produceDecoder = new ProduceRequestDecoder();
    private final FetchRequestDecoder fetchDecoder = new FetchRequestDecoder();
    private final FetchCreditDecoder creditDecoder = new FetchCreditDecoder();
    private final FetchCloseDecoder fetchCloseDecoder = new FetchCloseDecoder();
    private final OffsetCommitRequestDecoder offsetCommitDecoder = new OffsetCommitRequestDecoder();
    private final OffsetFetchRequestDecoder offsetFetchDecoder = new OffsetFetchRequestDecoder();
    private final OffsetForTimestampRequestDecoder offsetForTimestampDecoder = new OffsetForTimestampRequestDecoder();
    private final JoinGroupRequestDecoder joinGroupDecoder = new JoinGroupRequestDecoder();
    private final SyncGroupRequestDecoder syncGroupDecoder = new SyncGroupRequestDecoder();
    private final GroupHeartbeatRequestDecoder groupHeartbeatDecoder = new GroupHeartbeatRequestDecoder();
    private final LeaveGroupRequestDecoder leaveGroupDecoder = new LeaveGroupRequestDecoder();
    private final ListGroupsRequestDecoder listGroupsDecoder = new ListGroupsRequestDecoder();
    private final DescribeGroupRequestDecoder describeGroupDecoder = new DescribeGroupRequestDecoder();
    private final AuthenticateRequestDecoder authenticateDecoder = new AuthenticateRequestDecoder();
    private final AlterAclRequestDecoder alterAclDecoder = new AlterAclRequestDecoder();
    private final ListAclsRequestDecoder listAclsDecoder = new ListAclsRequestDecoder();
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final ClientRequestListener listener;
    private final ErrorHandler errorHandler;
    private boolean inListener;

    /**
     * @param listener     to dispatch requests to.
     * @param errorHandler for exceptions the listener throws: the request is logged and dropped, so that it
     *                     cannot be delivered again and again.
     */
    public ClientRequestAdapter(final ClientRequestListener listener, final ErrorHandler errorHandler)
    {
        this.listener = listener;
        this.errorHandler = errorHandler;
    }

    /**
     * Poll one ingress subscription, reassembling fragmented requests.
     *
     * @param subscription  to poll.
     * @param fragmentLimit most fragments to take.
     * @return fragments taken.
     */
    public int poll(final Subscription subscription, final int fragmentLimit)
    {
        return subscription.controlledPoll(assembler, fragmentLimit);
    }

    /**
     * {@inheritDoc}
     */
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        try
        {
            return dispatch(buffer, offset, length, header.sessionId()) ? Action.CONTINUE : Action.ABORT;
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            return Action.CONTINUE;
        }
    }

    /**
     * Validate and dispatch one whole message; public so that tests can feed frames without a media driver.
     *
     * @param buffer    holding the message.
     * @param offset    of the message header.
     * @param length    of the message.
     * @param sessionId of the image it came from.
     * @return what the listener returned.
     */
    public boolean dispatch(final DirectBuffer buffer, final int offset, final int length, final int sessionId)
    {
        inListener = false;
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return listener.onMalformed(sessionId, -1, -1, ErrorCode.MALFORMED_FRAME,
                "frame of " + length + " bytes is shorter than a message header");
        }
        headerDecoder.wrap(buffer, offset);
        final int schemaId = headerDecoder.schemaId();
        final int templateId = headerDecoder.templateId();
        final int version = headerDecoder.version();
        final int blockLength = headerDecoder.blockLength();
        if (schemaId != MessageHeaderDecoder.SCHEMA_ID)
        {
            return listener.onMalformed(sessionId, -1, templateId, ErrorCode.UNKNOWN_MESSAGE,
                "schema id " + schemaId + " is not the client protocol (" + MessageHeaderDecoder.SCHEMA_ID + ")");
        }
        if (version > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            return listener.onMalformed(sessionId, -1, templateId, ErrorCode.UNSUPPORTED_VERSION,
                "protocol version " + version + " is newer than the broker's " + MessageHeaderDecoder.SCHEMA_VERSION);
        }

        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int bodyLength = length - MessageHeaderDecoder.ENCODED_LENGTH;
        if (templateId != ConnectRequestDecoder.TEMPLATE_ID && templateId != HeartbeatDecoder.TEMPLATE_ID &&
            templateId != DisconnectDecoder.TEMPLATE_ID && templateId != AuthenticateRequestDecoder.TEMPLATE_ID &&
            !listener.isAuthenticated(sessionId))
        {
            // Every request that has an answer starts with its correlation id; fetch credit and close have none.
            final boolean correlated = templateId != FetchCreditDecoder.TEMPLATE_ID &&
                templateId != FetchCloseDecoder.TEMPLATE_ID && blockLength >= Long.BYTES && bodyLength >= Long.BYTES;
            inListener = true;
            return listener.onUnauthenticated(sessionId,
                correlated ? buffer.getLong(bodyOffset, java.nio.ByteOrder.LITTLE_ENDIAN) : -1, templateId);
        }
        try
        {
            switch (templateId)
            {
                case AuthenticateRequestDecoder.TEMPLATE_ID:
                {
                    final AuthenticateRequestDecoder d = authenticateDecoder;
                    if (invalid(blockLength, AuthenticateRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    final long correlationId = d.correlationId();
                    final String mechanism = d.mechanism();
                    final String message = d.message();
                    inListener = true;
                    return listener.onAuthenticate(sessionId, correlationId, mechanism, message);
                }

                case ProduceRequestDecoder.TEMPLATE_ID:
                {
                    final ProduceRequestDecoder d = produceDecoder;
                    if (invalid(blockLength, ProduceRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    final long correlationId = d.correlationId();
                    final int topicId = d.topicId();
                    final int partition = d.partition();
                    final short acks = d.acksRaw();
                    final int recordsLength = d.recordsLength();
                    final int recordsOffset = d.limit() + ProduceRequestDecoder.recordsHeaderLength();
                    if (recordsLength < 0 || recordsLength > offset + length - recordsOffset)
                    {
                        // A uint32 length of 2 GiB or more reads as negative and would walk the decoder backwards;
                        // one just under 2 GiB would overflow recordsOffset + recordsLength, so no sum is compared.
                        return overrun(sessionId, correlationId, templateId);
                    }
                    inListener = true;
                    return listener.onProduce(
                        sessionId, correlationId, topicId, partition, acks, buffer, recordsOffset, recordsLength);
                }

                case FetchCreditDecoder.TEMPLATE_ID:
                {
                    final FetchCreditDecoder d = creditDecoder;
                    if (invalid(blockLength, FetchCreditDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    inListener = true;
                    return listener.onFetchCredit(sessionId, d.sessionId(), d.credit());
                }

                case FetchRequestDecoder.TEMPLATE_ID:
                {
                    final FetchRequestDecoder d = fetchDecoder;
                    if (invalid(blockLength, FetchRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    inListener = true;
                    return listener.onFetch(sessionId, d.correlationId(), d.sessionId(), d.topicId(), d.partition(),
                        d.fetchOffset(), d.creditModeRaw(), d.initialCredit());
                }

                case FetchCloseDecoder.TEMPLATE_ID:
                {
                    final FetchCloseDecoder d = fetchCloseDecoder;
                    if (invalid(blockLength, FetchCloseDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    inListener = true;
                    return listener.onFetchClose(sessionId, d.sessionId());
                }

                case HeartbeatDecoder.TEMPLATE_ID:
                {
                    if (invalid(blockLength, HeartbeatDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    inListener = true;
                    return listener.onHeartbeat(sessionId);
                }

                case ConnectRequestDecoder.TEMPLATE_ID:
                {
                    final ConnectRequestDecoder d = connectDecoder;
                    if (invalid(blockLength, ConnectRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    inListener = true;
                    return listener.onConnect(sessionId, d.correlationId(), d);
                }

                case DisconnectDecoder.TEMPLATE_ID:
                {
                    if (invalid(blockLength, DisconnectDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    inListener = true;
                    return listener.onDisconnect(sessionId);
                }

                case MetadataRequestDecoder.TEMPLATE_ID:
                {
                    final MetadataRequestDecoder d = metadataDecoder;
                    if (invalid(blockLength, MetadataRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    final long correlationId = d.correlationId();
                    final boolean includeConfig = 0 != d.includeConfig();
                    inListener = true;
                    return listener.onMetadata(sessionId, correlationId, d.topic(), includeConfig);
                }

                case CreateTopicRequestDecoder.TEMPLATE_ID:
                {
                    final CreateTopicRequestDecoder d = createTopicDecoder;
                    if (invalid(blockLength, CreateTopicRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    inListener = true;
                    return listener.onCreateTopic(
                        sessionId, d.correlationId(), d.partitions(), d.replicationFactor(), d);
                }

                case DeleteTopicRequestDecoder.TEMPLATE_ID:
                {
                    final DeleteTopicRequestDecoder d = deleteTopicDecoder;
                    if (invalid(blockLength, DeleteTopicRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    final long correlationId = d.correlationId();
                    inListener = true;
                    return listener.onDeleteTopic(sessionId, correlationId, d.topic());
                }

                case OffsetCommitRequestDecoder.TEMPLATE_ID:
                {
                    final OffsetCommitRequestDecoder d = offsetCommitDecoder;
                    if (invalid(blockLength, OffsetCommitRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    final long correlationId = d.correlationId();
                    final int topicId = d.topicId();
                    final int partition = d.partition();
                    final long committedOffset = d.committedOffset();
                    final int generation = d.generation();
                    final String group = d.group();
                    inListener = true;
                    return listener.onOffsetCommit(sessionId, correlationId, group, d.memberId(), generation, topicId,
                        partition, committedOffset);
                }

                case JoinGroupRequestDecoder.TEMPLATE_ID:
                {
                    final JoinGroupRequestDecoder d = joinGroupDecoder;
                    if (invalid(blockLength, JoinGroupRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    inListener = true;
                    return listener.onJoinGroup(sessionId, d.correlationId(), d);
                }

                case SyncGroupRequestDecoder.TEMPLATE_ID:
                {
                    final SyncGroupRequestDecoder d = syncGroupDecoder;
                    if (invalid(blockLength, SyncGroupRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    final long correlationId = d.correlationId();
                    final int generation = d.generation();
                    final String group = d.group();
                    inListener = true;
                    return listener.onSyncGroup(sessionId, correlationId, group, d.memberId(), generation);
                }

                case GroupHeartbeatRequestDecoder.TEMPLATE_ID:
                {
                    final GroupHeartbeatRequestDecoder d = groupHeartbeatDecoder;
                    if (invalid(blockLength, GroupHeartbeatRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    final long correlationId = d.correlationId();
                    final int generation = d.generation();
                    final String group = d.group();
                    inListener = true;
                    return listener.onGroupHeartbeat(sessionId, correlationId, group, d.memberId(), generation);
                }

                case LeaveGroupRequestDecoder.TEMPLATE_ID:
                {
                    final LeaveGroupRequestDecoder d = leaveGroupDecoder;
                    if (invalid(blockLength, LeaveGroupRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    final long correlationId = d.correlationId();
                    final String group = d.group();
                    inListener = true;
                    return listener.onLeaveGroup(sessionId, correlationId, group, d.memberId());
                }

                case AlterAclRequestDecoder.TEMPLATE_ID:
                {
                    final AlterAclRequestDecoder d = alterAclDecoder;
                    if (invalid(blockLength, AlterAclRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    final long correlationId = d.correlationId();
                    final short add = d.add();
                    final short resourceType = d.resourceTypeRaw();
                    final short patternType = d.patternTypeRaw();
                    final short operation = d.operationRaw();
                    final String principal = d.principal();
                    final String resourceName = d.resourceName();
                    final AclEntry acl;
                    try
                    {
                        if (add > 1)
                        {
                            throw new IllegalArgumentException("add must be 0 or 1, not " + add);
                        }
                        // The typed getters throw on an unknown value: each is read raw and mapped here.
                        acl = new AclEntry(principal, AclResourceType.get(resourceType),
                            AclPatternType.get(patternType), resourceName, AclOperation.get(operation));
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        inListener = true;
                        return listener.onMalformed(sessionId, correlationId, templateId, ErrorCode.INVALID_REQUEST,
                            ex.getMessage());
                    }
                    inListener = true;
                    return listener.onAlterAcl(sessionId, correlationId, add == 1, acl);
                }

                case ListAclsRequestDecoder.TEMPLATE_ID:
                {
                    final ListAclsRequestDecoder d = listAclsDecoder;
                    if (invalid(blockLength, ListAclsRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    inListener = true;
                    return listener.onListAcls(sessionId, d.correlationId());
                }

                case ListGroupsRequestDecoder.TEMPLATE_ID:
                {
                    final ListGroupsRequestDecoder d = listGroupsDecoder;
                    if (invalid(blockLength, ListGroupsRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    inListener = true;
                    return listener.onListGroups(sessionId, d.correlationId());
                }

                case DescribeGroupRequestDecoder.TEMPLATE_ID:
                {
                    final DescribeGroupRequestDecoder d = describeGroupDecoder;
                    if (invalid(blockLength, DescribeGroupRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    final long correlationId = d.correlationId();
                    inListener = true;
                    return listener.onDescribeGroup(sessionId, correlationId, d.group());
                }

                case OffsetFetchRequestDecoder.TEMPLATE_ID:
                {
                    final OffsetFetchRequestDecoder d = offsetFetchDecoder;
                    if (invalid(blockLength, OffsetFetchRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    if (d.sbeDecodedLength() > bodyLength)
                    {
                        return overrun(sessionId, d.correlationId(), templateId);
                    }
                    final long correlationId = d.correlationId();
                    final int topicId = d.topicId();
                    final int partition = d.partition();
                    inListener = true;
                    return listener.onOffsetFetch(sessionId, correlationId, d.group(), topicId, partition);
                }

                case OffsetForTimestampRequestDecoder.TEMPLATE_ID:
                {
                    final OffsetForTimestampRequestDecoder d = offsetForTimestampDecoder;
                    if (invalid(blockLength, OffsetForTimestampRequestDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        return malformed(sessionId, templateId, blockLength, bodyLength);
                    }
                    d.wrap(buffer, bodyOffset, blockLength, version);
                    inListener = true;
                    return listener.onOffsetForTimestamp(
                        sessionId, d.correlationId(), d.topicId(), d.partition(), d.timestamp());
                }

                default:
                    return listener.onMalformed(sessionId, -1, templateId, ErrorCode.UNKNOWN_MESSAGE,
                        "template id " + templateId + " is not a client request");
            }
        }
        catch (final IndexOutOfBoundsException | IllegalStateException ex)
        {
            if (inListener)
            {
                throw ex; // the broker's own failure, not the frame's: for the error handler
            }
            // A group count or var data length pointing past the buffer's end, caught by bounds checks.
            return listener.onMalformed(sessionId, -1, templateId, ErrorCode.MALFORMED_FRAME,
                "template " + templateId + " runs past the frame: " + ex.getMessage());
        }
    }

    private static boolean invalid(final int blockLength, final int expectedBlockLength, final int bodyLength)
    {
        return blockLength < expectedBlockLength || blockLength > bodyLength;
    }

    private boolean malformed(final int sessionId, final int templateId, final int blockLength, final int bodyLength)
    {
        return listener.onMalformed(sessionId, -1, templateId, ErrorCode.MALFORMED_FRAME,
            "template " + templateId + " has block length " + blockLength + " in a body of " + bodyLength + " bytes");
    }

    private boolean overrun(final int sessionId, final long correlationId, final int templateId)
    {
        return listener.onMalformed(sessionId, correlationId, templateId, ErrorCode.MALFORMED_FRAME,
            "template " + templateId + " has groups or var data running past the end of the frame");
    }
}
