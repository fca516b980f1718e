package io.sluice.transport;

import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.codecs.client.AdminResponseDecoder;
import io.sluice.codecs.client.ConnectResponseDecoder;
import io.sluice.codecs.client.DescribeGroupResponseDecoder;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.AclOperation;
import io.sluice.codecs.client.AclPatternType;
import io.sluice.codecs.client.AclResourceType;
import io.sluice.codecs.client.AuthenticateResponseDecoder;
import io.sluice.codecs.client.ListAclsResponseDecoder;
import io.sluice.codecs.client.ErrorResponseDecoder;
import io.sluice.codecs.client.FetchDataDecoder;
import io.sluice.codecs.client.FetchStatusDecoder;
import io.sluice.codecs.client.GroupState;
import io.sluice.codecs.client.GroupResponseDecoder;
import io.sluice.codecs.client.JoinGroupResponseDecoder;
import io.sluice.codecs.client.ListGroupsResponseDecoder;
import io.sluice.codecs.client.MessageHeaderDecoder;
import io.sluice.codecs.client.MetadataResponseDecoder;
import io.sluice.codecs.client.OffsetResponseDecoder;
import io.sluice.codecs.client.ProduceResponseDecoder;
import io.sluice.codecs.client.SyncGroupResponseDecoder;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The client's side of the client protocol: polls the response subscription, checks each frame the way the broker
 * checks requests, and dispatches it. Responses to the one blocking call in progress (connect, metadata, admin,
 * offsets) are captured here; everything else goes to the {@link ClientResponseListener} of the poll.
 * <p>
 * Owned by the thread that uses the connection. Allocation-free for produce responses and fetch data.
 */
final class ClientResponseAdapter implements FragmentHandler
{
    private static final ClientResponseListener NO_LISTENER = new ClientResponseListener()
    {
    };

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectResponseDecoder connectDecoder = new ConnectResponseDecoder();
    private final ErrorResponseDecoder errorDecoder = new ErrorResponseDecoder();
    private final AuthenticateResponseDecoder authenticateDecoder = new AuthenticateResponseDecoder();
    private final ListAclsResponseDecoder listAclsDecoder = new ListAclsResponseDecoder();
    private final MetadataResponseDecoder metadataDecoder = new MetadataResponseDecoder();
    private final AdminResponseDecoder adminDecoder = new AdminResponseDecoder();
    private final ProduceResponseDecoder produceDecoder = new ProduceResponseDecoder();
    private final FetchStatusDecoder fetchStatusDecoder = new FetchStatusDecoder();
    private final FetchDataDecoder fetchDataDecoder = new FetchDataDecoder();
    private final OffsetResponseDecoder offsetDecoder = new OffsetResponseDecoder();
    private final JoinGroupResponseDecoder joinGroupDecoder = new JoinGroupResponseDecoder();
    private final SyncGroupResponseDecoder syncGroupDecoder = new SyncGroupResponseDecoder();
    private final GroupResponseDecoder groupDecoder = new GroupResponseDecoder();
    private final ListGroupsResponseDecoder listGroupsDecoder = new ListGroupsResponseDecoder();
    private final DescribeGroupResponseDecoder describeGroupDecoder = new DescribeGroupResponseDecoder();
    private final FragmentAssembler assembler = new FragmentAssembler(this);

    private ClientResponseListener listener = NO_LISTENER;
    private ClientResponseListener lastPollListener = NO_LISTENER;
    private int malformedResponses;

    // The blocking call in progress: its correlation id and what came back.
    private long awaitedCorrelationId = Long.MIN_VALUE;
    private boolean answered;
    private ErrorCode answerCode;
    private String answerMessage;
    private String answerText = "";
    private long answerValue;
    private int answerBrokerId;
    private int answerMaxFrameLength;
    private int answerTimeoutMs;
    private List<TopicDescription> answerTopics;
    private Map<Integer, HostPort> answerBrokers = Map.of();
    private int answerCoordinatorId = ClientConnection.COORDINATOR_UNKNOWN;
    private List<GroupListing> answerGroups;
    private List<AclEntry> answerAcls;
    private GroupDescription answerGroup;

    int poll(final Subscription subscription, final ClientResponseListener listener, final int fragmentLimit)
    {
        listener(listener);
        return subscription.poll(assembler, fragmentLimit);
    }

    /**
     * @param listener for responses no blocking call waits for, from now on.
     */
    void listener(final ClientResponseListener listener)
    {
        this.listener = null == listener ? NO_LISTENER : listener;
        lastPollListener = this.listener;
    }

    /**
     * Poll for a blocking call: responses it is not waiting for go to {@code listener}, or when that is null to
     * the listener of the last {@link #poll}, so that fetched data and acknowledgements are never dropped.
     */
    int pollWhileWaiting(final Subscription subscription, final ClientResponseListener listener, final int fragmentLimit)
    {
        this.listener = null == listener ? lastPollListener : listener;
        return subscription.poll(assembler, fragmentLimit);
    }

    void await(final long correlationId)
    {
        awaitedCorrelationId = correlationId;
        answered = false;
        answerCode = null;
        answerMessage = "";
        answerText = "";
        answerValue = -1;
        answerTopics = null;
        answerGroups = null;
        answerAcls = null;
        answerGroup = null;
    }

    boolean answered()
    {
        return answered;
    }

    ErrorCode answerCode()
    {
        return answerCode;
    }

    String answerMessage()
    {
        return answerMessage;
    }

    /**
     * @return the server's SCRAM message of an authenticate answer.
     */
    String answerText()
    {
        return answerText;
    }

    long answerValue()
    {
        return answerValue;
    }

    int answerBrokerId()
    {
        return answerBrokerId;
    }

    int answerMaxFrameLength()
    {
        return answerMaxFrameLength;
    }

    int answerTimeoutMs()
    {
        return answerTimeoutMs;
    }

    List<TopicDescription> answerTopics()
    {
        return answerTopics;
    }

    /**
     * @return the brokers named by the latest metadata answer, by id.
     */
    Map<Integer, HostPort> answerBrokers()
    {
        return answerBrokers;
    }

    /**
     * @return the group coordinator named by the latest metadata answer.
     */
    int answerCoordinatorId()
    {
        return answerCoordinatorId;
    }

    List<GroupListing> answerGroups()
    {
        return answerGroups;
    }

    List<AclEntry> answerAcls()
    {
        return answerAcls;
    }

    GroupDescription answerGroup()
    {
        return answerGroup;
    }

    int malformedResponses()
    {
        return malformedResponses;
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            malformed("response of " + length + " bytes");
            return;
        }
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            malformed("response with schema id " + headerDecoder.schemaId());
            return;
        }
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int bodyLength = length - MessageHeaderDecoder.ENCODED_LENGTH;
        try
        {
            switch (templateId)
            {
                case ProduceResponseDecoder.TEMPLATE_ID:
                    if (fits(produceDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(), blockLength,
                        ProduceResponseDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        onProduceResponse(produceDecoder);
                    }
                    break;

                case FetchDataDecoder.TEMPLATE_ID:
                    if (blockLength >= FetchDataDecoder.BLOCK_LENGTH && blockLength <= bodyLength)
                    {
                        onFetchData(fetchDataDecoder.wrap(buffer, bodyOffset, blockLength, version), buffer, offset, length);
                    }
                    else
                    {
                        malformed("fetch data with block length " + blockLength);
                    }
                    break;

                case FetchStatusDecoder.TEMPLATE_ID:
                    if (fits(fetchStatusDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(), blockLength,
                        FetchStatusDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        final FetchStatusDecoder d = fetchStatusDecoder;
                        listener.onFetchStatus(d.correlationId(), d.sessionId(), errorCode(d.errorCodeRaw()),
                            d.nextOffset(), d.logStartOffset(), d.highWatermark(), text(d.errorMessageLength(), d));
                    }
                    break;

                case ErrorResponseDecoder.TEMPLATE_ID:
                    if (fits(errorDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(), blockLength,
                        ErrorResponseDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        onErrorResponse(errorDecoder);
                    }
                    break;

                case AuthenticateResponseDecoder.TEMPLATE_ID:
                    if (fits(authenticateDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(),
                        blockLength, AuthenticateResponseDecoder.BLOCK_LENGTH, bodyLength) &&
                        authenticateDecoder.correlationId() == awaitedCorrelationId)
                    {
                        final AuthenticateResponseDecoder d = authenticateDecoder;
                        answerCode = errorCode(d.errorCodeRaw());
                        answerText = d.message();
                        answerMessage = d.errorMessage();
                        answered = true;
                    }
                    break;

                case ConnectResponseDecoder.TEMPLATE_ID:
                    if (fits(connectDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(), blockLength,
                        ConnectResponseDecoder.BLOCK_LENGTH, bodyLength) &&
                        connectDecoder.correlationId() == awaitedCorrelationId)
                    {
                        final ConnectResponseDecoder d = connectDecoder;
                        answerCode = errorCode(d.errorCodeRaw());
                        answerBrokerId = d.brokerId();
                        answerValue = d.connectionId();
                        answerMaxFrameLength = d.maxFrameLength();
                        answerTimeoutMs = d.clientTimeoutMs();
                        answerMessage = d.errorMessage();
                        answered = true;
                    }
                    break;

                case AdminResponseDecoder.TEMPLATE_ID:
                    if (fits(adminDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(), blockLength,
                        AdminResponseDecoder.BLOCK_LENGTH, bodyLength) &&
                        adminDecoder.correlationId() == awaitedCorrelationId)
                    {
                        answerCode = errorCode(adminDecoder.errorCodeRaw());
                        answerValue = adminDecoder.topicId();
                        answerMessage = adminDecoder.errorMessage();
                        answered = true;
                    }
                    break;

                case OffsetResponseDecoder.TEMPLATE_ID:
                    if (fits(offsetDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(), blockLength,
                        OffsetResponseDecoder.BLOCK_LENGTH, bodyLength) &&
                        offsetDecoder.correlationId() == awaitedCorrelationId)
                    {
                        answerCode = errorCode(offsetDecoder.errorCodeRaw());
                        answerValue = offsetDecoder.committedOffset();
                        answerMessage = offsetDecoder.errorMessage();
                        answered = true;
                    }
                    break;

                case MetadataResponseDecoder.TEMPLATE_ID:
                    if (fits(metadataDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(), blockLength,
                        MetadataResponseDecoder.BLOCK_LENGTH, bodyLength) &&
                        metadataDecoder.correlationId() == awaitedCorrelationId)
                    {
                        onMetadataResponse(metadataDecoder);
                    }
                    break;

                case JoinGroupResponseDecoder.TEMPLATE_ID:
                    if (fits(joinGroupDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(),
                        blockLength, JoinGroupResponseDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        final JoinGroupResponseDecoder d = joinGroupDecoder;
                        final long correlationId = d.correlationId();
                        final ErrorCode errorCode = errorCode(d.errorCodeRaw());
                        final int generation = d.generation();
                        final String memberId = d.memberId();
                        listener.onJoinGroupResponse(correlationId, errorCode, generation, memberId, d.errorMessage());
                    }
                    break;

                case SyncGroupResponseDecoder.TEMPLATE_ID:
                    if (fits(syncGroupDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(),
                        blockLength, SyncGroupResponseDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        final SyncGroupResponseDecoder d = syncGroupDecoder;
                        final long correlationId = d.correlationId();
                        final ErrorCode errorCode = errorCode(d.errorCodeRaw());
                        final int generation = d.generation();
                        final List<PartitionRef> assignment = new ArrayList<>();
                        for (final SyncGroupResponseDecoder.AssignmentDecoder a : d.assignment())
                        {
                            final int partition = a.partition();
                            assignment.add(new PartitionRef(a.topic(), partition));
                        }
                        listener.onSyncGroupResponse(
                            correlationId, errorCode, generation, List.copyOf(assignment), d.errorMessage());
                    }
                    break;

                case GroupResponseDecoder.TEMPLATE_ID:
                    if (fits(groupDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(),
                        blockLength, GroupResponseDecoder.BLOCK_LENGTH, bodyLength))
                    {
                        final GroupResponseDecoder d = groupDecoder;
                        listener.onGroupResponse(
                            d.correlationId(), errorCode(d.errorCodeRaw()), d.generation(), d.errorMessage());
                    }
                    break;

                case ListAclsResponseDecoder.TEMPLATE_ID:
                    if (fits(listAclsDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(),
                        blockLength, ListAclsResponseDecoder.BLOCK_LENGTH, bodyLength) &&
                        listAclsDecoder.correlationId() == awaitedCorrelationId)
                    {
                        onListAclsResponse(listAclsDecoder);
                    }
                    break;

                case ListGroupsResponseDecoder.TEMPLATE_ID:
                    if (fits(listGroupsDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(),
                        blockLength, ListGroupsResponseDecoder.BLOCK_LENGTH, bodyLength) &&
                        listGroupsDecoder.correlationId() == awaitedCorrelationId)
                    {
                        onListGroupsResponse(listGroupsDecoder);
                    }
                    break;

                case DescribeGroupResponseDecoder.TEMPLATE_ID:
                    if (fits(describeGroupDecoder.wrap(buffer, bodyOffset, blockLength, version).sbeDecodedLength(),
                        blockLength, DescribeGroupResponseDecoder.BLOCK_LENGTH, bodyLength) &&
                        describeGroupDecoder.correlationId() == awaitedCorrelationId)
                    {
                        onDescribeGroupResponse(describeGroupDecoder);
                    }
                    break;

                default:
                    malformed("response with template id " + templateId);
            }
        }
        catch (final IndexOutOfBoundsException | IllegalStateException | IllegalArgumentException ex)
        {
            malformed("response with template id " + templateId + ": " + ex.getMessage());
        }
    }

    private boolean fits(
        final int decodedLength, final int blockLength, final int expectedBlockLength, final int bodyLength)
    {
        if (blockLength < expectedBlockLength || blockLength > bodyLength)
        {
            malformed("response with block length " + blockLength);
            return false;
        }
        if (decodedLength > bodyLength)
        {
            malformed("response running past its frame");
            return false;
        }
        return true;
    }

    private void onProduceResponse(final ProduceResponseDecoder d)
    {
        final ErrorCode errorCode = errorCode(d.errorCodeRaw());
        final long correlationId = d.correlationId();
        final int topicId = d.topicId();
        final int partition = d.partition();
        final long baseOffset = d.baseOffset();
        final long logStartOffset = d.logStartOffset();
        final String message = text(d.errorMessageLength(), d);
        listener.onProduceResponse(correlationId, topicId, partition, errorCode, baseOffset, logStartOffset, message);
    }

    private void onFetchData(final FetchDataDecoder d, final DirectBuffer buffer, final int offset, final int length)
    {
        final long sessionId = d.sessionId();
        final int topicId = d.topicId();
        final int partition = d.partition();
        final long fromOffset = d.fromOffset();
        final long toOffset = d.toOffset();
        final long highWatermark = d.highWatermark();
        final int recordsLength = d.recordsLength();
        final int recordsOffset = d.limit() + FetchDataDecoder.recordsHeaderLength();
        if (recordsLength < 0 || recordsLength > offset + length - recordsOffset)
        {
            malformed("fetch data running past its frame");
            return;
        }
        listener.onFetchData(
            sessionId, topicId, partition, fromOffset, toOffset, highWatermark, buffer, recordsOffset, recordsLength);
    }

    private void onErrorResponse(final ErrorResponseDecoder d)
    {
        final long correlationId = d.correlationId();
        final ErrorCode errorCode = errorCode(d.errorCodeRaw());
        final int templateId = d.requestTemplateId();
        final String message = d.errorMessage();
        if (correlationId == awaitedCorrelationId)
        {
            answerCode = errorCode;
            answerMessage = message;
            answered = true;
        }
        else
        {
            listener.onError(correlationId, errorCode, templateId, message);
        }
    }

    private void onMetadataResponse(final MetadataResponseDecoder d)
    {
        answerCode = errorCode(d.errorCodeRaw());
        final int coordinatorId = d.coordinatorId();
        final List<TopicDescription> topics = new ArrayList<>();
        for (final MetadataResponseDecoder.TopicsDecoder topic : d.topics())
        {
            final int topicId = topic.topicId();
            topic.partitionCount();
            final int replicationFactor = topic.replicationFactor();
            final List<TopicDescription.PartitionDescription> partitions = new ArrayList<>();
            for (final MetadataResponseDecoder.TopicsDecoder.PartitionsDecoder p : topic.partitions())
            {
                final int partition = p.partition();
                final int leader = p.leader();
                final int leaderEpoch = p.leaderEpoch();
                final long logStartOffset = p.logStartOffset();
                final long highWatermark = p.highWatermark();
                final long logEndOffset = p.logEndOffset();
                final long sizeBytes = p.sizeBytes();
                final List<Integer> replicas = new ArrayList<>();
                final List<Integer> isr = new ArrayList<>();
                for (final MetadataResponseDecoder.TopicsDecoder.PartitionsDecoder.ReplicasDecoder r : p.replicas())
                {
                    replicas.add(r.brokerId());
                    if (0 != r.inSync())
                    {
                        isr.add(r.brokerId());
                    }
                }
                partitions.add(new TopicDescription.PartitionDescription(partition, leader, leaderEpoch,
                    List.copyOf(replicas), List.copyOf(isr), logStartOffset, highWatermark, logEndOffset, sizeBytes));
            }
            final Map<String, String> config = new TreeMap<>();
            for (final MetadataResponseDecoder.TopicsDecoder.ConfigsDecoder c : topic.configs())
            {
                final String key = c.key();
                config.put(key, c.value());
            }
            topics.add(new TopicDescription(
                topic.name(), topicId, replicationFactor, List.copyOf(partitions), Collections.unmodifiableMap(config)));
        }
        final Map<Integer, HostPort> brokers = new TreeMap<>();
        for (final MetadataResponseDecoder.BrokersDecoder b : d.brokers())
        {
            final int brokerId = b.brokerId();
            final int port = b.port();
            final String host = b.host();
            if (brokerId >= 0 && port > 0 && port <= 65535 && !host.isEmpty())
            {
                brokers.put(brokerId, new HostPort(host, port)); // an entry no client could use is skipped
            }
        }
        answerMessage = d.errorMessage();
        answerTopics = topics;
        answerBrokers = Collections.unmodifiableMap(brokers);
        answerCoordinatorId = coordinatorId < 0 ? ClientConnection.NO_COORDINATOR : coordinatorId;
        answered = true;
    }

    private void onListAclsResponse(final ListAclsResponseDecoder d)
    {
        answerCode = errorCode(d.errorCodeRaw());
        final List<AclEntry> acls = new ArrayList<>();
        for (final ListAclsResponseDecoder.AclsDecoder a : d.acls())
        {
            final AclResourceType resourceType = a.resourceType();
            final AclPatternType patternType = a.patternType();
            final AclOperation operation = a.operation();
            final String principal = a.principal();
            acls.add(new AclEntry(principal, resourceType, patternType, a.resourceName(), operation));
        }
        answerMessage = d.errorMessage();
        answerAcls = List.copyOf(acls);
        answered = true;
    }

    private void onListGroupsResponse(final ListGroupsResponseDecoder d)
    {
        answerCode = errorCode(d.errorCodeRaw());
        final List<GroupListing> groups = new ArrayList<>();
        for (final ListGroupsResponseDecoder.GroupsDecoder g : d.groups())
        {
            final GroupState state = g.state();
            final int members = g.members();
            final int generation = g.generation();
            final String name = g.name();
            groups.add(new GroupListing(name, state, members, generation, g.assignor()));
        }
        answerMessage = d.errorMessage();
        answerGroups = List.copyOf(groups);
        answered = true;
    }

    private void onDescribeGroupResponse(final DescribeGroupResponseDecoder d)
    {
        answerCode = errorCode(d.errorCodeRaw());
        final GroupState state = d.state();
        final int generation = d.generation();
        final List<GroupDescription.Member> members = new ArrayList<>();
        for (final DescribeGroupResponseDecoder.MembersDecoder m : d.members())
        {
            final int sessionTimeoutMs = m.sessionTimeoutMs();
            final List<PartitionRef> assignment = new ArrayList<>();
            for (final DescribeGroupResponseDecoder.MembersDecoder.AssignmentDecoder a : m.assignment())
            {
                final int partition = a.partition();
                assignment.add(new PartitionRef(a.topic(), partition));
            }
            final String memberId = m.memberId();
            members.add(new GroupDescription.Member(memberId, m.clientName(), sessionTimeoutMs, List.copyOf(assignment)));
        }
        final List<GroupDescription.PartitionOffset> offsets = new ArrayList<>();
        for (final DescribeGroupResponseDecoder.OffsetsDecoder o : d.offsets())
        {
            final int partition = o.partition();
            final long committedOffset = o.committedOffset();
            final long endOffset = o.endOffset();
            final String topic = o.topic();
            offsets.add(new GroupDescription.PartitionOffset(
                new PartitionRef(topic, partition), committedOffset, endOffset, o.memberId()));
        }
        final String name = d.name();
        final String assignor = d.assignor();
        answerMessage = d.errorMessage();
        if (answerCode == ErrorCode.NONE)
        {
            answerGroup = new GroupDescription(
                name, state, generation, assignor, List.copyOf(members), List.copyOf(offsets));
        }
        answered = true;
    }

    private void malformed(final String what)
    {
        malformedResponses++;
        listener.onError(-1, ErrorCode.MALFORMED_FRAME, -1, "malformed " + what);
    }

    private static String text(final int length, final ProduceResponseDecoder d)
    {
        return 0 == length ? "" : d.errorMessage();
    }

    private static String text(final int length, final FetchStatusDecoder d)
    {
        return 0 == length ? "" : d.errorMessage();
    }

    private static ErrorCode errorCode(final int raw)
    {
        return ClientProtocol.errorCode(raw);
    }
}
