package io.sluice.transport.controller;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.ImageFragmentAssembler;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.sluice.codecs.controller.ControllerError;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * The controller as an Aeron Cluster service: each member of the quorum runs one, applying the brokers' requests
 * in log order to its {@link ControllerStateMachine}. The leader's copy answers: a response to the requester, the
 * records each change made to every broker session, and a full image to a broker that registers or asks for one.
 * Followers' sends go nowhere (Aeron Cluster mocks them), so the service does not need to know its role.
 * <p>
 * A broker's liveness is its cluster session: the consensus module closes a session whose client stopped sending
 * keep-alives for the session timeout, and that close, being in the log, fences the broker on every member.
 * A timer checks preferred leaders and announces the metadata version (so a broker that missed a record asks for
 * an image) every {@code checkIntervalMs}.
 */
public final class ControllerService implements ClusteredService
{
    private static final Logger LOG = LoggerFactory.getLogger(ControllerService.class);
    private static final long CHECK_TIMER_ID = 1;
    private static final int SEND_ATTEMPTS = 64;

    private final long checkIntervalMs;
    private final ControllerStateMachine stateMachine = new ControllerStateMachine();
    private final ControllerCodec codec = new ControllerCodec();
    private final RequestHandler requestHandler = new RequestHandler();
    private Cluster cluster;

    /**
     * @param checkIntervalMs how often the leader checks preferred leaders and announces its metadata version.
     */
    public ControllerService(final long checkIntervalMs)
    {
        if (checkIntervalMs <= 0)
        {
            throw new IllegalArgumentException("check interval must be positive: " + checkIntervalMs);
        }
        this.checkIntervalMs = checkIntervalMs;
    }

    /**
     * @return the state machine; read it only from the service's thread (or after the container stopped).
     */
    ControllerStateMachine stateMachine()
    {
        return stateMachine;
    }

    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        if (null != snapshotImage)
        {
            loadSnapshot(snapshotImage, cluster.idleStrategy());
        }
    }

    private void loadSnapshot(final Image image, final IdleStrategy idle)
    {
        final boolean[] done = new boolean[1];
        final ControllerCodec.Handler loader = new ControllerCodec.Handler()
        {
            public void onImageStart(final long metadataVersion, final long nextTopicId)
            {
                stateMachine.restoreImage(metadataVersion, nextTopicId);
            }

            public void onRecord(final MetadataRecord record, final long metadataVersion)
            {
                stateMachine.restore(record, metadataVersion);
            }

            public void onBrokerSession(final int nodeId, final long sessionId)
            {
                stateMachine.restoreSession(nodeId, sessionId);
            }

            public void onImageEnd(final long metadataVersion)
            {
                done[0] = true;
            }

            public void onMalformed(final String reason)
            {
                throw new IllegalStateException("corrupt controller snapshot: " + reason);
            }
        };
        final ImageFragmentAssembler assembler = new ImageFragmentAssembler(
            (buffer, offset, length, header) -> codec.decode(buffer, offset, length, loader));
        while (!done[0])
        {
            final int fragments = image.poll(assembler, 16);
            if (0 == fragments && image.isEndOfStream())
            {
                throw new IllegalStateException("controller snapshot ended before its image did");
            }
            idle.idle(fragments);
        }
        LOG.info("controller state loaded from snapshot at metadata version {}", stateMachine.metadata().version());
    }

    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        final Integer nodeId = stateMachine.nodeOfSession(session.id());
        stateMachine.sessionClosed(session.id());
        if (null != nodeId)
        {
            LOG.info("broker {} fenced: its controller session closed ({})", nodeId, closeReason);
        }
        broadcastChanges(null);
    }

    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (null == session)
        {
            return; // no service sends to itself
        }
        requestHandler.session = session;
        codec.decode(buffer, offset, length, requestHandler);
    }

    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        if (correlationId == CHECK_TIMER_ID)
        {
            stateMachine.electPreferredLeaders();
            broadcastChanges(null);
            final int length = codec.metadataVersion(stateMachine.metadata().version());
            for (final ClientSession session : cluster.clientSessions())
            {
                send(session, length);
            }
            cluster.scheduleTimer(CHECK_TIMER_ID, timestamp + checkIntervalMs);
        }
    }

    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        final IdleStrategy idle = cluster.idleStrategy();
        final ClusterMetadata metadata = stateMachine.metadata();
        final long version = metadata.version();
        offer(snapshotPublication, codec.imageStart(version, metadata.nextTopicId()), idle);
        metadata.forEachRecord((record) -> offer(snapshotPublication, codec.record(record, version), idle));
        for (final Map.Entry<Integer, Long> session : stateMachine.sessions().entrySet())
        {
            offer(snapshotPublication, codec.brokerSession(session.getKey(), session.getValue()), idle);
        }
        offer(snapshotPublication, codec.imageEnd(version), idle);
    }

    private void offer(final ExclusivePublication publication, final int length, final IdleStrategy idle)
    {
        idle.reset();
        long result;
        while ((result = publication.offer(codec.buffer(), 0, length)) < 0)
        {
            if (result == Publication.CLOSED || result == Publication.NOT_CONNECTED ||
                result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("snapshot publication failed: " + Publication.errorString(result));
            }
            idle.idle();
        }
    }

    public void onRoleChange(final Cluster.Role newRole)
    {
        LOG.info("controller member {} is now {}", null == cluster ? -1 : cluster.memberId(), newRole);
    }

    public void onTerminate(final Cluster cluster)
    {
    }

    /**
     * Send the records made since the last call to every broker session but one.
     */
    private void broadcastChanges(final ClientSession except)
    {
        stateMachine.drainChanges((record, version) ->
        {
            final int length = codec.record(record, version);
            for (final ClientSession session : cluster.clientSessions())
            {
                if (session != except)
                {
                    send(session, length);
                }
            }
        });
    }

    private void sendImage(final ClientSession session)
    {
        final ClusterMetadata metadata = stateMachine.metadata();
        final long version = metadata.version();
        send(session, codec.imageStart(version, metadata.nextTopicId()));
        metadata.forEachRecord((record) -> send(session, codec.record(record, version)));
        send(session, codec.imageEnd(version));
    }

    /**
     * Send what the codec holds; a session back-pressured for long, or gone, misses it and catches up from the
     * version announcements.
     */
    private void send(final ClientSession session, final int length)
    {
        final IdleStrategy idle = cluster.idleStrategy();
        idle.reset();
        for (int attempt = 0; attempt < SEND_ATTEMPTS; attempt++)
        {
            final long result = session.offer(codec.buffer(), 0, length);
            if (result > 0 || result == Publication.NOT_CONNECTED || result == Publication.CLOSED ||
                result == Publication.MAX_POSITION_EXCEEDED)
            {
                return;
            }
            idle.idle();
        }
        LOG.warn("controller could not send to session {}: back pressured", session.id());
    }

    private void respond(final ClientSession session, final long correlationId,
        final ControllerStateMachine.Result result)
    {
        send(session, codec.response(correlationId, result.error(), stateMachine.metadata().version(),
            result.message()));
    }

    private final class RequestHandler implements ControllerCodec.Handler
    {
        private ClientSession session;

        public void onRegisterBroker(
            final long correlationId, final int nodeId, final long incarnationId, final String host,
            final int clientPort, final int replicationPort)
        {
            final ControllerStateMachine.Result result =
                stateMachine.register(session.id(), nodeId, incarnationId, host, clientPort, replicationPort);
            if (result.isOk())
            {
                LOG.info("broker {} registered at {} (client port {}, replication port {})", nodeId, host,
                    clientPort, replicationPort);
                sendImage(session);
                respond(session, correlationId, result);
                broadcastChanges(session);
                cluster.scheduleTimer(CHECK_TIMER_ID, cluster.time() + checkIntervalMs);
            }
            else
            {
                respond(session, correlationId, result);
            }
        }

        public void onCreateTopic(
            final long correlationId, final String name, final int partitionCount, final int replicationFactor,
            final Map<String, String> configs)
        {
            complete(correlationId, stateMachine.createTopic(name, partitionCount, replicationFactor, configs));
        }

        public void onAlterAcl(final long correlationId, final boolean add, final io.sluice.transport.AclEntry acl)
        {
            complete(correlationId, stateMachine.alterAcl(add, acl));
        }

        public void onDeleteTopic(final long correlationId, final String name)
        {
            complete(correlationId, stateMachine.deleteTopic(name));
        }

        public void onAlterPartition(
            final long correlationId, final int nodeId, final long topicId, final int partition,
            final int leaderEpoch, final int partitionEpoch, final List<Integer> isr)
        {
            final Integer registered = stateMachine.nodeOfSession(session.id());
            final ControllerStateMachine.Result result = null == registered || registered != nodeId ?
                new ControllerStateMachine.Result(ControllerError.STALE_BROKER,
                    "session " + session.id() + " is not broker " + nodeId + "'s") :
                stateMachine.alterPartition(nodeId, topicId, partition, leaderEpoch, partitionEpoch, isr);
            complete(correlationId, result);
        }

        public void onFetchImage(final long correlationId)
        {
            sendImage(session);
        }

        public void onMalformed(final String reason)
        {
            LOG.warn("malformed controller request from session {}: {}", session.id(), reason);
        }

        private void complete(final long correlationId, final ControllerStateMachine.Result result)
        {
            broadcastChanges(null); // the requester sees the change before the answer
            respond(session, correlationId, result);
        }
    }
}
