package io.sluice.transport.controller;

import io.sluice.codecs.controller.AlterPartitionDecoder;
import io.sluice.codecs.controller.AlterPartitionEncoder;
import io.sluice.codecs.controller.BrokerRecordDecoder;
import io.sluice.codecs.controller.BrokerRecordEncoder;
import io.sluice.codecs.controller.BrokerSessionDecoder;
import io.sluice.codecs.controller.BrokerSessionEncoder;
import io.sluice.codecs.controller.BrokerState;
import io.sluice.codecs.controller.ControllerError;
import io.sluice.codecs.controller.ControllerResponseDecoder;
import io.sluice.codecs.controller.ControllerResponseEncoder;
import io.sluice.codecs.controller.CreateTopicDecoder;
import io.sluice.codecs.controller.CreateTopicEncoder;
import io.sluice.codecs.controller.DeleteTopicDecoder;
import io.sluice.codecs.controller.DeleteTopicEncoder;
import io.sluice.codecs.controller.FetchImageDecoder;
import io.sluice.codecs.controller.FetchImageEncoder;
import io.sluice.codecs.controller.ImageEndDecoder;
import io.sluice.codecs.controller.ImageEndEncoder;
import io.sluice.codecs.controller.ImageStartDecoder;
import io.sluice.codecs.controller.ImageStartEncoder;
import io.sluice.codecs.controller.MessageHeaderDecoder;
import io.sluice.codecs.controller.MessageHeaderEncoder;
import io.sluice.codecs.controller.MetadataVersionDecoder;
import io.sluice.codecs.controller.MetadataVersionEncoder;
import io.sluice.codecs.controller.PartitionRecordDecoder;
import io.sluice.codecs.controller.PartitionRecordEncoder;
import io.sluice.codecs.controller.RegisterBrokerDecoder;
import io.sluice.codecs.controller.RegisterBrokerEncoder;
import io.sluice.codecs.controller.TopicRecordDecoder;
import io.sluice.codecs.controller.TopicRecordEncoder;
import io.sluice.codecs.controller.TopicRemovedRecordDecoder;
import io.sluice.codecs.controller.TopicRemovedRecordEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes and decodes the controller protocol ({@code controller-codecs.xml}). This is the control plane: messages
 * are rare and small, so it builds Java objects (records, strings, lists) freely. Every decode checks the schema,
 * template, lengths and enums, and reports a malformed message instead of throwing.
 * <p>
 * One instance per thread: it owns its buffer and flyweights.
 */
public final class ControllerCodec
{
    /**
     * What a decoded message is handed to; every method does nothing unless overridden.
     */
    public interface Handler
    {
        default void onRegisterBroker(
            final long correlationId, final int nodeId, final long incarnationId, final String host,
            final int clientPort, final int replicationPort)
        {
        }

        default void onCreateTopic(
            final long correlationId, final String name, final int partitionCount, final int replicationFactor,
            final Map<String, String> configs)
        {
        }

        default void onAlterAcl(final long correlationId, final boolean add, final io.sluice.transport.AclEntry acl)
        {
        }

        default void onDeleteTopic(final long correlationId, final String name)
        {
        }

        default void onAlterPartition(
            final long correlationId, final int nodeId, final long topicId, final int partition, final int leaderEpoch,
            final int partitionEpoch, final List<Integer> isr)
        {
        }

        default void onFetchImage(final long correlationId)
        {
        }

        default void onResponse(
            final long correlationId, final ControllerError error, final long metadataVersion, final String message)
        {
        }

        default void onRecord(final MetadataRecord record, final long metadataVersion)
        {
        }

        default void onImageStart(final long metadataVersion, final long nextTopicId)
        {
        }

        default void onImageEnd(final long metadataVersion)
        {
        }

        default void onMetadataVersion(final long metadataVersion)
        {
        }

        default void onBrokerSession(final int nodeId, final long sessionId)
        {
        }

        /**
         * A message that could not be decoded.
         *
         * @param reason what was wrong.
         */
        default void onMalformed(final String reason)
        {
        }
    }

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();

    /**
     * @return the buffer the last encode wrote, from offset 0.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int registerBroker(
        final long correlationId, final int nodeId, final long incarnationId, final String host,
        final int clientPort, final int replicationPort)
    {
        final RegisterBrokerEncoder encoder = new RegisterBrokerEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .nodeId(nodeId)
            .incarnationId(incarnationId)
            .clientPort(clientPort)
            .replicationPort(replicationPort)
            .host(host);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    public int createTopic(
        final long correlationId, final String name, final int partitionCount, final int replicationFactor,
        final Map<String, String> configs)
    {
        final CreateTopicEncoder encoder = new CreateTopicEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .partitionCount(partitionCount)
            .replicationFactor((short)replicationFactor);
        final CreateTopicEncoder.ConfigsEncoder group = encoder.configsCount(configs.size());
        for (final Map.Entry<String, String> config : configs.entrySet())
        {
            group.next().key(config.getKey()).value(config.getValue());
        }
        encoder.name(name);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    public int alterAcl(final long correlationId, final boolean add, final io.sluice.transport.AclEntry acl)
    {
        final io.sluice.codecs.controller.AlterAclEncoder encoder = new io.sluice.codecs.controller.AlterAclEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .add((short)(add ? 1 : 0))
            .resourceType(acl.resourceType().value())
            .patternType(acl.patternType().value())
            .operation(acl.operation().value())
            .principal(acl.principal())
            .resourceName(acl.resourceName());
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    public int deleteTopic(final long correlationId, final String name)
    {
        final DeleteTopicEncoder encoder = new DeleteTopicEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(correlationId).name(name);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    public int alterPartition(
        final long correlationId, final int nodeId, final long topicId, final int partition, final int leaderEpoch,
        final int partitionEpoch, final List<Integer> isr)
    {
        final AlterPartitionEncoder encoder = new AlterPartitionEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .nodeId(nodeId)
            .topicId(topicId)
            .partition(partition)
            .leaderEpoch(leaderEpoch)
            .partitionEpoch(partitionEpoch);
        final AlterPartitionEncoder.IsrEncoder group = encoder.isrCount(isr.size());
        for (final int member : isr)
        {
            group.next().nodeId(member);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    public int fetchImage(final long correlationId)
    {
        final FetchImageEncoder encoder = new FetchImageEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(correlationId);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    public int response(
        final long correlationId, final ControllerError error, final long metadataVersion, final String message)
    {
        final ControllerResponseEncoder encoder = new ControllerResponseEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode(error)
            .metadataVersion(metadataVersion)
            .message(message);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    public int imageStart(final long metadataVersion, final long nextTopicId)
    {
        final ImageStartEncoder encoder = new ImageStartEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder).metadataVersion(metadataVersion).nextTopicId(nextTopicId);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    public int imageEnd(final long metadataVersion)
    {
        final ImageEndEncoder encoder = new ImageEndEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder).metadataVersion(metadataVersion);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    public int metadataVersion(final long metadataVersion)
    {
        final MetadataVersionEncoder encoder = new MetadataVersionEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder).metadataVersion(metadataVersion);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    public int brokerSession(final int nodeId, final long sessionId)
    {
        final BrokerSessionEncoder encoder = new BrokerSessionEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder).nodeId(nodeId).sessionId(sessionId);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * @param record          to encode.
     * @param metadataVersion the version it brings the image to.
     * @return the encoded length.
     */
    public int record(final MetadataRecord record, final long metadataVersion)
    {
        if (record instanceof BrokerInfo broker)
        {
            final BrokerRecordEncoder encoder = new BrokerRecordEncoder();
            encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .metadataVersion(metadataVersion)
                .nodeId(broker.nodeId())
                .incarnationId(broker.incarnationId())
                .state(broker.alive() ? BrokerState.ALIVE : BrokerState.FENCED)
                .clientPort(broker.clientPort())
                .replicationPort(broker.replicationPort())
                .host(broker.host());
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }
        if (record instanceof TopicInfo topic)
        {
            final TopicRecordEncoder encoder = new TopicRecordEncoder();
            encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .metadataVersion(metadataVersion)
                .topicId(topic.topicId())
                .partitionCount(topic.partitionCount())
                .replicationFactor((short)topic.replicationFactor());
            final TopicRecordEncoder.ConfigsEncoder group = encoder.configsCount(topic.configs().size());
            for (final Map.Entry<String, String> config : topic.configs().entrySet())
            {
                group.next().key(config.getKey()).value(config.getValue());
            }
            encoder.name(topic.name());
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }
        if (record instanceof PartitionInfo partition)
        {
            final PartitionRecordEncoder encoder = new PartitionRecordEncoder();
            encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .metadataVersion(metadataVersion)
                .topicId(partition.topicId())
                .partition(partition.partition())
                .leader(partition.leader())
                .leaderEpoch(partition.leaderEpoch())
                .partitionEpoch(partition.partitionEpoch());
            final PartitionRecordEncoder.ReplicasEncoder replicas = encoder.replicasCount(partition.replicas().size());
            for (final int replica : partition.replicas())
            {
                replicas.next().nodeId(replica);
            }
            final PartitionRecordEncoder.IsrEncoder isr = encoder.isrCount(partition.isr().size());
            for (final int member : partition.isr())
            {
                isr.next().nodeId(member);
            }
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }
        if (record instanceof AclChange change)
        {
            final io.sluice.codecs.controller.AclRecordEncoder encoder =
                new io.sluice.codecs.controller.AclRecordEncoder();
            encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .metadataVersion(metadataVersion)
                .add((short)(change.added() ? 1 : 0))
                .resourceType(change.acl().resourceType().value())
                .patternType(change.acl().patternType().value())
                .operation(change.acl().operation().value())
                .principal(change.acl().principal())
                .resourceName(change.acl().resourceName());
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }
        final TopicRemoved removed = (TopicRemoved)record;
        final TopicRemovedRecordEncoder encoder = new TopicRemovedRecordEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .metadataVersion(metadataVersion)
            .topicId(removed.topicId());
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * Decode one message and hand it to the handler; a malformed one goes to {@link Handler#onMalformed}.
     *
     * @param buffer  holding the message.
     * @param offset  of its header.
     * @param length  of header and body.
     * @param handler to call.
     */
    public void decode(final DirectBuffer buffer, final int offset, final int length, final Handler handler)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            handler.onMalformed("message of " + length + " bytes is shorter than a header");
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            handler.onMalformed("schema " + headerDecoder.schemaId() + " is not the controller protocol");
            return;
        }
        final int templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int end = offset + length;
        if (blockLength > length - MessageHeaderDecoder.ENCODED_LENGTH)
        {
            handler.onMalformed("block length " + blockLength + " beyond the message's " + length + " bytes");
            return;
        }
        try
        {
            dispatch(buffer, bodyOffset, blockLength, version, templateId, end, handler);
        }
        catch (final IndexOutOfBoundsException | IllegalStateException | IllegalArgumentException ex)
        {
            handler.onMalformed("template " + templateId + ": " + ex.getMessage());
        }
    }

    private static void dispatch(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int templateId,
        final int end, final Handler handler)
    {
        switch (templateId)
        {
            case RegisterBrokerDecoder.TEMPLATE_ID ->
            {
                final RegisterBrokerDecoder d = new RegisterBrokerDecoder().wrap(buffer, offset, blockLength, version);
                final long correlationId = d.correlationId();
                final int nodeId = d.nodeId();
                final long incarnationId = d.incarnationId();
                final int clientPort = d.clientPort();
                final int replicationPort = d.replicationPort();
                final String host = d.host();
                checkEnd(d.limit(), end, templateId);
                handler.onRegisterBroker(correlationId, nodeId, incarnationId, host, clientPort, replicationPort);
            }
            case CreateTopicDecoder.TEMPLATE_ID ->
            {
                final CreateTopicDecoder d = new CreateTopicDecoder().wrap(buffer, offset, blockLength, version);
                final long correlationId = d.correlationId();
                final int partitionCount = d.partitionCount();
                final int replicationFactor = d.replicationFactor();
                final Map<String, String> configs = new LinkedHashMap<>();
                for (final CreateTopicDecoder.ConfigsDecoder config : d.configs())
                {
                    configs.put(config.key(), config.value());
                }
                final String name = d.name();
                checkEnd(d.limit(), end, templateId);
                handler.onCreateTopic(correlationId, name, partitionCount, replicationFactor, configs);
            }
            case DeleteTopicDecoder.TEMPLATE_ID ->
            {
                final DeleteTopicDecoder d = new DeleteTopicDecoder().wrap(buffer, offset, blockLength, version);
                final long correlationId = d.correlationId();
                final String name = d.name();
                checkEnd(d.limit(), end, templateId);
                handler.onDeleteTopic(correlationId, name);
            }
            case AlterPartitionDecoder.TEMPLATE_ID ->
            {
                final AlterPartitionDecoder d = new AlterPartitionDecoder().wrap(buffer, offset, blockLength, version);
                final long correlationId = d.correlationId();
                final int nodeId = d.nodeId();
                final long topicId = d.topicId();
                final int partition = d.partition();
                final int leaderEpoch = d.leaderEpoch();
                final int partitionEpoch = d.partitionEpoch();
                final List<Integer> isr = new ArrayList<>();
                for (final AlterPartitionDecoder.IsrDecoder member : d.isr())
                {
                    isr.add(member.nodeId());
                }
                checkEnd(d.limit(), end, templateId);
                handler.onAlterPartition(correlationId, nodeId, topicId, partition, leaderEpoch, partitionEpoch, isr);
            }
            case FetchImageDecoder.TEMPLATE_ID ->
            {
                final FetchImageDecoder d = new FetchImageDecoder().wrap(buffer, offset, blockLength, version);
                final long correlationId = d.correlationId();
                checkEnd(d.limit(), end, templateId);
                handler.onFetchImage(correlationId);
            }
            case ControllerResponseDecoder.TEMPLATE_ID ->
            {
                final ControllerResponseDecoder d =
                    new ControllerResponseDecoder().wrap(buffer, offset, blockLength, version);
                final long correlationId = d.correlationId();
                final ControllerError error = d.errorCode();
                if (error == ControllerError.NULL_VAL)
                {
                    throw new IllegalArgumentException("unknown error code " + d.errorCodeRaw());
                }
                final long metadataVersion = d.metadataVersion();
                final String message = d.message();
                checkEnd(d.limit(), end, templateId);
                handler.onResponse(correlationId, error, metadataVersion, message);
            }
            case BrokerRecordDecoder.TEMPLATE_ID ->
            {
                final BrokerRecordDecoder d = new BrokerRecordDecoder().wrap(buffer, offset, blockLength, version);
                final long metadataVersion = d.metadataVersion();
                final int nodeId = d.nodeId();
                final long incarnationId = d.incarnationId();
                final BrokerState state = d.state();
                if (state == BrokerState.NULL_VAL)
                {
                    throw new IllegalArgumentException("unknown broker state " + d.stateRaw());
                }
                final int clientPort = d.clientPort();
                final int replicationPort = d.replicationPort();
                final String host = d.host();
                checkEnd(d.limit(), end, templateId);
                handler.onRecord(new BrokerInfo(nodeId, incarnationId, state == BrokerState.ALIVE, host, clientPort,
                    replicationPort), metadataVersion);
            }
            case TopicRecordDecoder.TEMPLATE_ID ->
            {
                final TopicRecordDecoder d = new TopicRecordDecoder().wrap(buffer, offset, blockLength, version);
                final long metadataVersion = d.metadataVersion();
                final long topicId = d.topicId();
                final int partitionCount = d.partitionCount();
                final int replicationFactor = d.replicationFactor();
                final Map<String, String> configs = new LinkedHashMap<>();
                for (final TopicRecordDecoder.ConfigsDecoder config : d.configs())
                {
                    configs.put(config.key(), config.value());
                }
                final String name = d.name();
                if (partitionCount < 1 || partitionCount > ControllerStateMachine.MAX_PARTITIONS)
                {
                    throw new IllegalArgumentException("partition count " + partitionCount);
                }
                checkEnd(d.limit(), end, templateId);
                handler.onRecord(new TopicInfo(topicId, name, partitionCount, replicationFactor, configs),
                    metadataVersion);
            }
            case PartitionRecordDecoder.TEMPLATE_ID ->
            {
                final PartitionRecordDecoder d = new PartitionRecordDecoder().wrap(buffer, offset, blockLength, version);
                final long metadataVersion = d.metadataVersion();
                final long topicId = d.topicId();
                final int partition = d.partition();
                final int leader = d.leader();
                final int leaderEpoch = d.leaderEpoch();
                final int partitionEpoch = d.partitionEpoch();
                final List<Integer> replicas = new ArrayList<>();
                for (final PartitionRecordDecoder.ReplicasDecoder replica : d.replicas())
                {
                    replicas.add(replica.nodeId());
                }
                final List<Integer> isr = new ArrayList<>();
                for (final PartitionRecordDecoder.IsrDecoder member : d.isr())
                {
                    isr.add(member.nodeId());
                }
                if (replicas.isEmpty())
                {
                    throw new IllegalArgumentException("a partition without replicas");
                }
                checkEnd(d.limit(), end, templateId);
                handler.onRecord(new PartitionInfo(topicId, partition, leader, leaderEpoch, partitionEpoch, replicas,
                    isr), metadataVersion);
            }
            case io.sluice.codecs.controller.AlterAclDecoder.TEMPLATE_ID ->
            {
                final io.sluice.codecs.controller.AlterAclDecoder d =
                    new io.sluice.codecs.controller.AlterAclDecoder().wrap(buffer, offset, blockLength, version);
                final long correlationId = d.correlationId();
                final AclChange change = aclChange(d.add(), d.resourceType(), d.patternType(), d.operation(),
                    d.principal(), d.resourceName());
                checkEnd(d.limit(), end, templateId);
                handler.onAlterAcl(correlationId, change.added(), change.acl());
            }
            case io.sluice.codecs.controller.AclRecordDecoder.TEMPLATE_ID ->
            {
                final io.sluice.codecs.controller.AclRecordDecoder d =
                    new io.sluice.codecs.controller.AclRecordDecoder().wrap(buffer, offset, blockLength, version);
                final long metadataVersion = d.metadataVersion();
                final AclChange change = aclChange(d.add(), d.resourceType(), d.patternType(), d.operation(),
                    d.principal(), d.resourceName());
                checkEnd(d.limit(), end, templateId);
                handler.onRecord(change, metadataVersion);
            }
            case TopicRemovedRecordDecoder.TEMPLATE_ID ->
            {
                final TopicRemovedRecordDecoder d =
                    new TopicRemovedRecordDecoder().wrap(buffer, offset, blockLength, version);
                final long topicId = d.topicId();
                final long metadataVersion = d.metadataVersion();
                checkEnd(d.limit(), end, templateId);
                handler.onRecord(new TopicRemoved(topicId), metadataVersion);
            }
            case ImageStartDecoder.TEMPLATE_ID ->
            {
                final ImageStartDecoder d = new ImageStartDecoder().wrap(buffer, offset, blockLength, version);
                final long metadataVersion = d.metadataVersion();
                final long nextTopicId = d.nextTopicId();
                checkEnd(d.limit(), end, templateId);
                handler.onImageStart(metadataVersion, nextTopicId);
            }
            case ImageEndDecoder.TEMPLATE_ID ->
            {
                final ImageEndDecoder d = new ImageEndDecoder().wrap(buffer, offset, blockLength, version);
                final long metadataVersion = d.metadataVersion();
                checkEnd(d.limit(), end, templateId);
                handler.onImageEnd(metadataVersion);
            }
            case MetadataVersionDecoder.TEMPLATE_ID ->
            {
                final MetadataVersionDecoder d = new MetadataVersionDecoder().wrap(buffer, offset, blockLength, version);
                final long metadataVersion = d.metadataVersion();
                checkEnd(d.limit(), end, templateId);
                handler.onMetadataVersion(metadataVersion);
            }
            case BrokerSessionDecoder.TEMPLATE_ID ->
            {
                final BrokerSessionDecoder d = new BrokerSessionDecoder().wrap(buffer, offset, blockLength, version);
                final int nodeId = d.nodeId();
                final long sessionId = d.sessionId();
                checkEnd(d.limit(), end, templateId);
                handler.onBrokerSession(nodeId, sessionId);
            }
            default -> throw new IllegalArgumentException("unknown template " + templateId);
        }
    }

    /**
     * An ACL added or removed, from raw values (the client protocol's ACL enums), validated.
     *
     * @throws IllegalArgumentException for an unknown value, an add flag other than 0 or 1, or an ACL that means
     *                                  nothing.
     */
    private static AclChange aclChange(final short add, final short resourceType, final short patternType,
        final short operation, final String principal, final String resourceName)
    {
        if (add > 1)
        {
            throw new IllegalArgumentException("add must be 0 or 1, not " + add);
        }
        return new AclChange(new io.sluice.transport.AclEntry(principal,
            io.sluice.codecs.client.AclResourceType.get(resourceType),
            io.sluice.codecs.client.AclPatternType.get(patternType), resourceName,
            io.sluice.codecs.client.AclOperation.get(operation)), 1 == add);
    }

    private static void checkEnd(final int limit, final int end, final int templateId)
    {
        if (limit > end)
        {
            throw new IllegalArgumentException("template " + templateId + " runs past its message's end");
        }
    }
}
