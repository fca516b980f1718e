package io.sluice.broker;

import io.aeron.Aeron;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.sluice.codecs.RecordBatchDescriptor;
import io.sluice.codecs.RecordBatchView;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.ConnectRequestDecoder;
import io.sluice.codecs.client.CreateTopicRequestDecoder;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.FetchCreditDecoder;
import io.sluice.codecs.client.FetchDataEncoder;
import io.sluice.codecs.client.JoinGroupRequestDecoder;
import io.sluice.codecs.client.MessageHeaderEncoder;
import io.sluice.codecs.client.MetadataResponseEncoder;
import io.sluice.engine.LogConfig;
import io.sluice.engine.LogConfigException;
import io.sluice.engine.LogManager;
import io.sluice.engine.LogReadResult;
import io.sluice.engine.LogStorageException;
import io.sluice.engine.PartitionLog;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.ClientRequestAdapter;
import io.sluice.transport.ClientRequestListener;
import io.sluice.transport.ClientResponseProxy;
import io.sluice.transport.GroupDescription;
import io.sluice.transport.HostPort;
import io.sluice.transport.AclEntry;
import io.sluice.transport.GroupListing;
import io.sluice.transport.PartitionRef;
import io.sluice.codecs.client.AclOperation;
import io.sluice.codecs.client.AclResourceType;
import io.sluice.transport.auth.ScramCredential;
import io.sluice.transport.auth.ScramServer;
import io.sluice.transport.controller.BrokerInfo;
import io.sluice.transport.controller.ClusterMetadata;
import io.sluice.transport.controller.ControllerClient;
import io.sluice.codecs.controller.ControllerError;
import io.sluice.transport.controller.MetadataRecord;
import io.sluice.transport.controller.PartitionInfo;
import io.sluice.transport.controller.TopicInfo;
import io.sluice.transport.controller.TopicRemoved;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * The broker's one agent: decodes client requests, appends produced batches, serves fetch sessions, answers admin
 * requests and retires silent clients. Every partition has exactly one writer, this agent, which is the engine's
 * single-writer rule; spreading partitions over several writer agents is a later step.
 * <p>
 * Duty cycle: run the Aeron client conductor, finish connections whose response publication is up, send responses
 * that waited for a back-pressured publication, poll the ingress subscriptions, send fetched batches within each
 * fetch session's credit, and every 100 ms check timeouts.
 * <p>
 * A request is only taken when its answer can be sent or queued behind a single back-pressured one (see
 * {@link ClientSession}); a malformed request is answered with an {@code ErrorResponse} and counted, and a request
 * that makes the broker throw is answered with an error and logged, so no client input stops the agent.
 */
final class BrokerAgent implements Agent, ClientRequestListener, ControllerClient.Listener,
    ReplicaManager.AckSink, ReplicaManager.RoleListener
{
    /** Bytes a fetch data message adds in front of its batches. */
    static final int FETCH_DATA_HEADER_LENGTH =
        MessageHeaderEncoder.ENCODED_LENGTH + FetchDataEncoder.BLOCK_LENGTH + FetchDataEncoder.recordsHeaderLength();

    static final int MAX_PARTITIONS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(BrokerAgent.class);
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,200}");
    private static final int FRAGMENT_LIMIT = 64;
    private static final int FETCH_SENDS_PER_CYCLE = 64;
    private static final long TIMER_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * Partition logs opened or created per duty cycle, about a megabyte of zeros each (a starter segment): a wide
     * topic, or a metadata image naming many new replicas, is opened over several duty cycles, so the agent (which
     * also runs Aeron's client conductor) never stalls for long on a slow disk.
     */
    static final int LOG_OPENS_PER_DUTY_CYCLE = 16;

    private final SluiceBroker.Context ctx;
    /** Nonces of SCRAM exchanges, and the secret that makes up salts for unknown users. */
    private final java.security.SecureRandom random = new java.security.SecureRandom();
    private final byte[] fakeSaltSecret = random.generateSeed(32);
    private final Authorizer authorizer;
    private final Aeron aeron;
    private final AgentInvoker aeronInvoker;
    private final AgentInvoker driverInvoker;
    private final LogManager logManager;
    private final BrokerCounters counters;
    private final ClientRequestAdapter adapter;
    private final ClientResponseProxy proxy = new ClientResponseProxy();
    private final LogReadResult readResult = new LogReadResult();
    /** Walks the records of a compacted batch for record credit. */
    private final RecordBatchView creditView = new RecordBatchView();
    private final Int2ObjectHashMap<ClientSession> sessionsById = new Int2ObjectHashMap<>();
    private final ArrayList<ClientSession> sessions = new ArrayList<>();
    private final ArrayList<FetchSession> fetchSessions = new ArrayList<>();
    private final TopicRegistry topics = new TopicRegistry();
    private final SystemNanoClock nanoClock = SystemNanoClock.INSTANCE;
    private final SystemEpochClock epochClock = SystemEpochClock.INSTANCE;
    private final GroupOffsets groupOffsets;
    private final GroupCoordinator groups;
    private final int maxFetchBatchLength;
    private final String brokerName;
    private Subscription udpIngress;
    private Subscription ipcIngress;
    private long nowNs;
    private long timerDeadlineNs;
    private long nextConnectionId = 1;
    private int fetchCursor;
    /** In a cluster: the broker's controller session and its replicas; both null on a single broker. */
    private final ControllerClient controller;
    private final ReplicaManager replicaManager;
    private final ArrayList<PendingAdmin> pendingAdmins = new ArrayList<>();
    /** Single broker: topics being created a few partitions per duty cycle, answered when complete. */
    private final ArrayList<PendingCreation> pendingCreations = new ArrayList<>();
    /** In a cluster: the latest metadata of replicas assigned here whose logs wait their turn to open. */
    private final ArrayList<PartitionInfo> replicasToOpen = new ArrayList<>();
    private int logOpensLeft;
    private HostPort address;
    private boolean hasImage;
    /** In a cluster: this broker's replica of the offsets topic while it leads it (it coordinates groups). */
    private Replica coordinatorReplica;
    private long offsetsTopicAttemptNs;
    private boolean offsetsTopicRequested;

    BrokerAgent(
        final SluiceBroker.Context ctx,
        final Aeron aeron,
        final AgentInvoker driverInvoker,
        final LogManager logManager,
        final BrokerCounters counters)
    {
        this.ctx = ctx;
        this.aeron = aeron;
        this.aeronInvoker = aeron.conductorAgentInvoker();
        this.driverInvoker = driverInvoker;
        this.logManager = logManager;
        this.counters = counters;
        this.adapter = new ClientRequestAdapter(this, ctx.errorHandler());
        this.maxFetchBatchLength = ctx.maxFetchBatchLength();
        this.brokerName = "broker " + ctx.brokerId();
        // Alone, the broker keeps offsets in a local topic; in a cluster, in the replicated one it may come to lead.
        this.groupOffsets = ctx.isClustered() ?
            new GroupOffsets(GroupOffsets.COMPACT_MIN_RECORDS) : new GroupOffsets(logManager);
        this.groups = new GroupCoordinator(proxy, this::send, topics, groupOffsets, brokerName);
        if (ctx.isClustered())
        {
            topics.internalIdsFromTop();
            controller = new ControllerClient(new ControllerClient.Context()
                .nodeId(ctx.brokerId())
                .incarnationId(java.util.concurrent.ThreadLocalRandom.current().nextLong(Long.MAX_VALUE))
                .advertised(ctx.clusterMembers().get(ctx.brokerId()))
                .replicationPort(ctx.clusterMembers().get(ctx.brokerId()).port() +
                    io.sluice.transport.controller.ControllerNode.Ports.REPLICATION)
                .members(ctx.clusterMembers())
                .aeronDirectoryName(aeron.context().aeronDirectoryName())
                .keepAliveInterval(Math.max(1, ctx.controllerSessionTimeoutNs() / 10), TimeUnit.NANOSECONDS)
                .requestTimeout(ctx.replicaAckTimeoutNs(), TimeUnit.NANOSECONDS)
                .secret(ctx.clusterSecret())
                .listener(this));
            replicaManager = new ReplicaManager(ctx, aeron, controller, this, this);
        }
        else
        {
            controller = null;
            replicaManager = null;
        }
        this.authorizer = null == controller ?
            new Authorizer(ctx.authorization(), ctx.superUsers(), ctx.dataDirectory().toPath()) :
            new Authorizer(ctx.authorization(), ctx.superUsers(), controller::metadata);
        for (final String name : logManager.topics())
        {
            if (ctx.isClustered())
            {
                continue; // a cluster's topics, the offsets topic included, come from the controller's metadata
            }
            final int count = logManager.partitionCount(name);
            final List<PartitionLog> logs = new ArrayList<>(count);
            for (int p = 0; p < count; p++)
            {
                logs.add(logManager.log(name, p));
            }
            topics.add(name, logs, logManager.topicConfig(name));
        }
    }

    /**
     * @param udpIngress the clients' UDP ingress.
     * @param ipcIngress the clients' IPC ingress.
     * @param address    where clients reach this broker (the bound listen address), named in metadata answers.
     */
    void ingress(final Subscription udpIngress, final Subscription ipcIngress, final HostPort address)
    {
        this.udpIngress = udpIngress;
        this.ipcIngress = ipcIngress;
        this.address = address;
    }

    public String roleName()
    {
        return "sluice-broker";
    }

    public void onStart()
    {
        nowNs = nanoClock.nanoTime();
        timerDeadlineNs = nowNs + TIMER_INTERVAL_NS;
    }

    public int doWork()
    {
        nowNs = nanoClock.nanoTime();
        logOpensLeft = LOG_OPENS_PER_DUTY_CYCLE;
        int work = null == driverInvoker ? 0 : driverInvoker.invoke();
        work += aeronInvoker.invoke();
        work += completeConnections();
        work += sendWaitingResponses();
        work += adapter.poll(udpIngress, FRAGMENT_LIMIT);
        work += adapter.poll(ipcIngress, FRAGMENT_LIMIT);
        work += serviceFetchSessions();
        if (!pendingCreations.isEmpty())
        {
            work += continueCreations();
        }
        if (null != controller)
        {
            if (!replicasToOpen.isEmpty())
            {
                work += openWaitingReplicas();
            }
            work += controller.doWork();
            work += replicaManager.doWork(nowNs);
            if (!pendingAdmins.isEmpty())
            {
                work += answerPendingAdmins();
            }
        }
        if (nowNs - timerDeadlineNs >= 0)
        {
            timerDeadlineNs = nowNs + TIMER_INTERVAL_NS;
            work += checkTimeouts();
            work += groups.onTimer(nowNs);
            if (null != replicaManager)
            {
                work += replicaManager.onTimer(nowNs);
                work += maybeCreateOffsetsTopic();
            }
        }
        return work;
    }

    public void onClose()
    {
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            sessions.get(i).close();
        }
        sessions.clear();
        sessionsById.clear();
        fetchSessions.clear();
        readResult.release();
        if (null != controller)
        {
            CloseHelper.quietClose(replicaManager);
            controller.onClose();
        }
    }

    /**
     * Aeron calls this on the conductor, which this agent runs: the client's image is gone, so is the client.
     */
    void onImageUnavailable(final Image image)
    {
        final ClientSession session = sessionsById.get(image.sessionId());
        if (null != session)
        {
            LOG.info("{}: {} left (image unavailable)", brokerName, session);
            closeSession(session);
        }
    }

    // ------------------------------------------------------------------------------------------------ connections

    public boolean onConnect(final int sessionId, final long correlationId, final ConnectRequestDecoder decoder)
    {
        counters.requests.incrementRelease();
        final int protocolVersion = decoder.protocolVersion();
        final int responseStreamId = decoder.responseStreamId();
        final String requestedChannel = decoder.responseChannel();
        final String clientName = decoder.clientName();
        if (sessionsById.containsKey(sessionId))
        {
            counters.malformedFrames.incrementRelease();
            LOG.warn("{}: second connect request on session {} ignored", brokerName, sessionId);
            return true;
        }
        final String channel;
        try
        {
            channel = ClientProtocol.responseChannel(requestedChannel, ctx.clientTermLength());
        }
        catch (final IllegalArgumentException ex)
        {
            // There is nowhere to send an answer to.
            counters.malformedFrames.incrementRelease();
            LOG.warn("{}: connect from session {} refused: {}", brokerName, sessionId, ex.getMessage());
            return true;
        }

        final long registrationId;
        try
        {
            registrationId = aeron.asyncAddExclusivePublication(channel, responseStreamId);
        }
        catch (final AeronException ex)
        {
            counters.malformedFrames.incrementRelease();
            LOG.warn("{}: connect from session {} refused: {}", brokerName, sessionId, ex.getMessage());
            return true;
        }
        final ClientSession session = new ClientSession(sessionId, nextConnectionId++, correlationId, registrationId,
            clientName, channel, nowNs, ctx.clientTimeoutNs());
        session.produceQuota = new ByteQuota(ctx.produceQuota(), nowNs);
        session.fetchQuota = new ByteQuota(ctx.fetchQuota(), nowNs);
        if (ctx.authentication() == SluiceBroker.Authentication.NONE)
        {
            session.principal = Authorizer.ANONYMOUS;
        }
        if (protocolVersion > ClientProtocol.PROTOCOL_VERSION)
        {
            session.connectError = "protocol version " + protocolVersion + " is newer than the broker's " +
                ClientProtocol.PROTOCOL_VERSION;
        }
        else if (sessions.size() >= ctx.maxConnections())
        {
            // Answered and closed like a connect of a newer version: nothing else of the client's is taken.
            counters.refusedConnections.incrementRelease();
            session.connectErrorCode = ErrorCode.TOO_MANY_CONNECTIONS;
            session.connectError = "the broker has its most client connections (max.connections " +
                ctx.maxConnections() + "): try later";
            LOG.warn("{}: connect from session {} refused: {} connections", brokerName, sessionId, sessions.size());
        }
        sessionsById.put(sessionId, session);
        sessions.add(session);
        return true;
    }

    // ------------------------------------------------------------------------------------------------ authentication

    public boolean isAuthenticated(final int sessionId)
    {
        if (ctx.authentication() == SluiceBroker.Authentication.NONE)
        {
            return true;
        }
        final ClientSession session = sessionsById.get(sessionId);
        return null == session || null != session.principal; // an unknown session is counted as unconnected
    }

    public boolean onUnauthenticated(final int sessionId, final long correlationId, final int templateId)
    {
        final ClientSession session = connected(sessionId);
        if (null == session)
        {
            return true;
        }
        if (session.isBlocked())
        {
            return false;
        }
        counters.unauthenticatedRequests.incrementRelease();
        sendError(session, correlationId, ErrorCode.NOT_AUTHENTICATED, templateId, "this broker requires " +
            ScramCredential.MECHANISM + " authentication before any other request: give the client a user name " +
            "and a password");
        return true;
    }

    public boolean onAuthenticate(
        final int sessionId, final long correlationId, final String mechanism, final String message)
    {
        return take(sessionId, (session) ->
        {
            try
            {
                if (ctx.authentication() == SluiceBroker.Authentication.NONE)
                {
                    throw new ScramServer.AuthenticationException("this broker does not authenticate clients " +
                        "(authentication=none): connect without a user name");
                }
                if (null != session.principal)
                {
                    throw new ScramServer.AuthenticationException("already authenticated as " + session.principal);
                }
                final String answer;
                if (null == session.scram)
                {
                    session.scram = new ScramServer(ctx.credentials()::get, random, fakeSaltSecret);
                    answer = session.scram.first(mechanism, message);
                }
                else
                {
                    answer = session.scram.last(message);
                    session.principal = session.scram.user();
                    session.scram = null;
                    counters.authentications.incrementRelease();
                    LOG.info("{}: {} authenticated as {}", brokerName, session, session.principal);
                }
                send(session, proxy.authenticateResponse(correlationId, ErrorCode.NONE, answer, ""));
            }
            catch (final ScramServer.AuthenticationException ex)
            {
                counters.authenticationFailures.incrementRelease();
                counters.errorResponses.incrementRelease();
                LOG.warn("{}: {} failed to authenticate: {}", brokerName, session, ex.getMessage());
                send(session, proxy.authenticateResponse(
                    correlationId, ErrorCode.AUTHENTICATION_FAILED, "", ex.getMessage()));
                closeSession(session);
            }
        });
    }

    /**
     * @return replication messages dropped because their stream was not proven, or 0 on a single broker.
     */
    long unauthenticatedReplicationMessages()
    {
        return null == replicaManager ? 0 : replicaManager.unauthenticatedMessages();
    }

    // ------------------------------------------------------------------------------------------------ authorization

    /**
     * Whether the connection's user may write (or read) the topic: decided once per connection, topic and ACL
     * version, then a map look-up, so produce and fetch stay allocation-free.
     */
    private boolean allowsTopic(final ClientSession session, final Topic topic, final AclOperation operation)
    {
        if (!authorizer.enabled())
        {
            return true;
        }
        if (session.aclVersion != authorizer.version())
        {
            session.aclDecisions.clear();
            session.aclVersion = authorizer.version();
        }
        final int known = operation == AclOperation.WRITE ? 1 : 4;
        final int allowed = known << 1;
        int bits = session.aclDecisions.get(topic.id);
        if ((bits & known) == 0)
        {
            bits |= known | (authorizer.allows(session.principal, AclResourceType.TOPIC, topic.name, operation) ?
                allowed : 0);
            session.aclDecisions.put(topic.id, bits);
        }
        return (bits & allowed) != 0;
    }

    private boolean allows(
        final ClientSession session, final AclResourceType type, final String name, final AclOperation operation)
    {
        return authorizer.allows(session.principal, type, name, operation);
    }

    /**
     * Count a denial and say it.
     */
    private String denied(
        final ClientSession session, final AclOperation operation, final AclResourceType type, final String name)
    {
        counters.deniedRequests.incrementRelease();
        counters.errorResponses.incrementRelease();
        return "user " + session.principal + " may not " + operation.name().toLowerCase(java.util.Locale.ROOT) +
            " " + type.name().toLowerCase(java.util.Locale.ROOT) + " " + name + " (no ACL allows it)";
    }

    /**
     * Answer {@code NOT_AUTHORIZED} unless the user may do this.
     *
     * @param refusal encodes the request's answer with {@code NOT_AUTHORIZED} and the given message.
     * @return whether the request was refused (and answered).
     */
    private boolean refusedAsNotAuthorized(final ClientSession session, final AclResourceType type, final String name,
        final AclOperation operation, final ToIntFunction<String> refusal)
    {
        if (allows(session, type, name, operation))
        {
            return false;
        }
        send(session, refusal.applyAsInt(denied(session, operation, type, name)));
        return true;
    }

    public boolean onAlterAcl(final int sessionId, final long correlationId, final boolean add, final AclEntry acl)
    {
        return take(sessionId, (session) ->
        {
            ErrorCode errorCode = ErrorCode.NONE;
            String message = "";
            if (!authorizer.enabled())
            {
                errorCode = ErrorCode.INVALID_REQUEST;
                message = "this broker has no ACLs (authorization=none)";
            }
            else if (!allows(session, AclResourceType.CLUSTER, AclEntry.CLUSTER_NAME, AclOperation.ALTER))
            {
                errorCode = ErrorCode.NOT_AUTHORIZED;
                message = denied(session, AclOperation.ALTER, AclResourceType.CLUSTER, AclEntry.CLUSTER_NAME);
            }
            else if (authorizer.isClustered())
            {
                // The quorum's metadata holds a cluster's ACLs: answered once this broker's copy has the change.
                LOG.info("{}: {} asks the controller to {} the ACL: {}", brokerName, session.principal,
                    add ? "add" : "remove", acl);
                forwardToController(session, correlationId, "", false, controller.alterAcl(add, acl));
                return;
            }
            else
            {
                try
                {
                    if (!authorizer.alter(add, acl))
                    {
                        errorCode = ErrorCode.INVALID_REQUEST;
                        message = add ? "the ACL exists already: " + acl : "no such ACL: " + acl;
                    }
                    else
                    {
                        LOG.info("{}: {} {} the ACL: {}", brokerName, session.principal, add ? "added" : "removed",
                            acl);
                    }
                }
                catch (final java.io.UncheckedIOException ex)
                {
                    errorCode = ErrorCode.STORAGE_ERROR;
                    message = "the ACLs cannot be stored: " + ex.getMessage();
                }
            }
            if (errorCode != ErrorCode.NONE && errorCode != ErrorCode.NOT_AUTHORIZED)
            {
                counters.errorResponses.incrementRelease();
            }
            send(session, proxy.adminResponse(correlationId, errorCode, -1, message));
        });
    }

    public boolean onListAcls(final int sessionId, final long correlationId)
    {
        return take(sessionId, (session) ->
        {
            if (!authorizer.enabled())
            {
                counters.errorResponses.incrementRelease();
                send(session, proxy.listAclsResponse(correlationId, ErrorCode.INVALID_REQUEST, List.of(),
                    "this broker has no ACLs (authorization=none)"));
            }
            else if (!refusedAsNotAuthorized(session, AclResourceType.CLUSTER, AclEntry.CLUSTER_NAME,
                AclOperation.DESCRIBE, (refusal) -> proxy.listAclsResponse(correlationId, ErrorCode.NOT_AUTHORIZED,
                    List.of(), refusal)))
            {
                send(session, proxy.listAclsResponse(correlationId, ErrorCode.NONE, authorizer.all(), ""));
            }
        });
    }

    public boolean onHeartbeat(final int sessionId)
    {
        final ClientSession session = connected(sessionId);
        if (null != session)
        {
            session.lastActivityNs = nowNs;
        }
        return true;
    }

    public boolean onDisconnect(final int sessionId)
    {
        final ClientSession session = sessionsById.get(sessionId);
        if (null != session)
        {
            LOG.info("{}: {} disconnected", brokerName, session);
            closeSession(session);
        }
        return true;
    }

    private int completeConnections()
    {
        int work = 0;
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            final ClientSession session = sessions.get(i);
            if (session.state != ClientSession.State.AWAITING_PUBLICATION)
            {
                continue;
            }
            if (null == session.publication)
            {
                try
                {
                    session.publication = aeron.getExclusivePublication(session.publicationRegistrationId);
                }
                catch (final AeronException ex)
                {
                    LOG.warn("{}: cannot publish to {}: {}", brokerName, session, ex.getMessage());
                    closeSession(session);
                    work++;
                    continue;
                }
            }
            if (null != session.publication && session.publication.isConnected())
            {
                session.state = ClientSession.State.CONNECTED;
                session.lastActivityNs = nowNs;
                final boolean refused = null != session.connectError;
                final int length = proxy.connectResponse(session.connectCorrelationId,
                    refused ? session.connectErrorCode : ErrorCode.NONE, ctx.brokerId(), session.connectionId,
                    ctx.maxFrameLength(), (int)TimeUnit.NANOSECONDS.toMillis(ctx.clientTimeoutNs()),
                    refused ? session.connectError : "");
                if (!session.send(proxy.buffer(), length, counters) || refused)
                {
                    closeSession(session);
                }
                else
                {
                    counters.connections.incrementRelease();
                    LOG.info("{}: {} connected", brokerName, session);
                }
                work++;
            }
            else if (nowNs - session.connectDeadlineNs > 0)
            {
                LOG.warn("{}: {} never connected its response channel", brokerName, session);
                closeSession(session);
                work++;
            }
        }
        return work;
    }

    private int sendWaitingResponses()
    {
        int work = 0;
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            final ClientSession session = sessions.get(i);
            if (session.isBlocked())
            {
                final int sent = session.sendWaiting();
                if (sent < 0)
                {
                    closeSession(session);
                }
                work += Math.max(sent, 1);
            }
        }
        return work;
    }

    private int checkTimeouts()
    {
        int work = 0;
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            final ClientSession session = sessions.get(i);
            if (session.state == ClientSession.State.CONNECTED &&
                nowNs - session.lastActivityNs > ctx.clientTimeoutNs())
            {
                LOG.info("{}: {} timed out", brokerName, session);
                counters.clientTimeouts.incrementRelease();
                closeSession(session);
                work++;
            }
        }
        return work;
    }

    private void closeSession(final ClientSession session)
    {
        if (session.state == ClientSession.State.CONNECTED)
        {
            counters.connections.getAndAddRelease(-1);
        }
        for (int i = fetchSessions.size() - 1; i >= 0; i--)
        {
            if (fetchSessions.get(i).client == session)
            {
                fetchSessions.remove(i);
            }
        }
        session.close();
        sessionsById.remove(session.sessionId);
        sessions.remove(session);
        groups.onSessionClosed(session, nowNs);
    }

    /**
     * The connected session of an image, or null (counted): requests before a connect have nowhere to be answered.
     */
    private ClientSession connected(final int sessionId)
    {
        final ClientSession session = sessionsById.get(sessionId);
        if (null == session || session.state != ClientSession.State.CONNECTED)
        {
            counters.unconnectedRequests.incrementRelease();
            return null;
        }
        session.lastActivityNs = nowNs;
        return session;
    }

    private void send(final ClientSession session, final int length)
    {
        if (!session.send(proxy.buffer(), length, counters))
        {
            LOG.info("{}: {} is gone", brokerName, session);
            closeSession(session);
        }
    }

    private void sendError(
        final ClientSession session,
        final long correlationId,
        final ErrorCode errorCode,
        final int templateId,
        final String message)
    {
        counters.errorResponses.incrementRelease();
        send(session, proxy.errorResponse(correlationId, errorCode, templateId, message));
    }

    public boolean onMalformed(
        final int sessionId,
        final long correlationId,
        final int templateId,
        final ErrorCode errorCode,
        final String message)
    {
        counters.malformedFrames.incrementRelease();
        final ClientSession session = connected(sessionId);
        if (null == session)
        {
            return true;
        }
        if (session.isBlocked())
        {
            return false;
        }
        sendError(session, correlationId, errorCode, templateId, message);
        return true;
    }

    // ------------------------------------------------------------------------------------------------ produce

    public boolean onProduce(
        final int sessionId,
        final long correlationId,
        final int topicId,
        final int partition,
        final short acks,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final ClientSession session = connected(sessionId);
        if (null == session)
        {
            return true;
        }
        if (session.isBlocked())
        {
            return false;
        }
        if (!session.produceQuota.allows(nowNs))
        {
            // Left in the client's image: its publication fills and its offers back off; other clients go on.
            counters.throttledRequests.incrementRelease();
            return false;
        }
        session.produceQuota.take(length);
        counters.requests.incrementRelease();

        final Topic topic = topics.byId(topicId);
        // In a cluster, this broker's replica of the partition (null if it has none); always null on a single broker.
        final Replica replica = null == replicaManager ? null : replicaManager.replica(topicId, partition);
        ErrorCode errorCode = ErrorCode.NONE;
        String message = "";
        long baseOffset = -1;
        long logStartOffset = -1;
        if (null == topic)
        {
            errorCode = ErrorCode.UNKNOWN_TOPIC;
            message = "no topic has id " + topicId + " (deleted, or the broker restarted: look it up again)";
        }
        else if (topic.internal)
        {
            errorCode = ErrorCode.INVALID_TOPIC;
            message = "topic " + topic.name + " is internal";
        }
        else if (!allowsTopic(session, topic, AclOperation.WRITE))
        {
            errorCode = ErrorCode.NOT_AUTHORIZED;
            message = denied(session, AclOperation.WRITE, AclResourceType.TOPIC, topic.name);
        }
        else if (partition < 0 || partition >= topic.partitions.length)
        {
            errorCode = ErrorCode.UNKNOWN_PARTITION;
            message = "topic " + topic.name + " has partitions 0 to " + (topic.partitions.length - 1) + ", not " +
                partition;
        }
        else if (acks != Acks.NONE.value() && acks != Acks.LEADER.value() && acks != Acks.ALL.value())
        {
            errorCode = ErrorCode.INVALID_ACKS;
            message = "acks must be NONE (0), LEADER (1) or ALL (2), not " + acks;
        }
        else if (null != replicaManager && (null == replica || !replica.leader))
        {
            errorCode = notLeaderCode(topic, partition);
            message = notLeaderMessage(topic, partition);
        }
        else if (null != replica && acks == Acks.ALL.value() && replica.isr.length < topic.minInsyncReplicas)
        {
            errorCode = ErrorCode.NOT_ENOUGH_REPLICAS;
            message = topic.name + "-" + partition + " has " + replica.isr.length +
                " in-sync replicas; acks=all needs min.insync.replicas " + topic.minInsyncReplicas;
        }
        else
        {
            final PartitionLog log = topic.partitions[partition];
            final long result = log.append(buffer, offset, length);
            logStartOffset = log.logStartOffset();
            if (result >= 0)
            {
                baseOffset = result;
                final int recordCount = RecordBatchDescriptor.recordCount(buffer, offset);
                counters.producedRecords.getAndAddRelease(recordCount);
                counters.producedBytes.getAndAddRelease(length);
                if (null != replica)
                {
                    if (acks == Acks.ALL.value())
                    {
                        // Answered when the high watermark passes the batch (a retried duplicate's too).
                        replicaManager.awaitHighWatermark(replica, session, correlationId, result, result + recordCount);
                        return true;
                    }
                    replicaManager.onLeaderAppend(replica);
                }
            }
            else
            {
                errorCode = appendErrorCode(result);
                message = appendErrorMessage(result, length, topic, partition);
            }
        }

        // One replica: ALL is answered when LEADER would be, the in-sync set being this broker alone.
        if (errorCode == ErrorCode.NONE && acks == Acks.NONE.value())
        {
            return true;
        }
        if (errorCode != ErrorCode.NONE)
        {
            counters.errorResponses.incrementRelease();
        }
        send(session, proxy.produceResponse(
            correlationId, topicId, partition, errorCode, baseOffset, logStartOffset, message));
        return true;
    }

    private boolean leads(final Topic topic, final int partition)
    {
        final Replica replica = replicaManager.replica(topic.id, partition);
        return null != replica && replica.leader;
    }

    private ErrorCode notLeaderCode(final Topic topic, final int partition)
    {
        final PartitionInfo info = topic.clusterPartitions[partition];
        return null == info || info.leader() == PartitionInfo.NO_LEADER || info.leader() == ctx.brokerId() ?
            ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NOT_LEADER;
    }

    private String notLeaderMessage(final Topic topic, final int partition)
    {
        final PartitionInfo info = topic.clusterPartitions[partition];
        if (null != info && info.leader() == ctx.brokerId())
        {
            return "broker " + ctx.brokerId() + " is opening the log of " + topic.name + "-" + partition + ": retry";
        }
        return null == info || info.leader() == PartitionInfo.NO_LEADER ?
            topic.name + "-" + partition + " has no leader now" :
            "broker " + ctx.brokerId() + " does not lead " + topic.name + "-" + partition + ": broker " + info.leader() +
                " does (epoch " + info.leaderEpoch() + ")";
    }

    // ------------------------------------------------------------------------------------------------ cluster

    public void onAck(final Replica replica, final Replica.PendingAck ack, final ErrorCode errorCode,
        final String message)
    {
        final ClientSession session = ack.session;
        if (session.state != ClientSession.State.CONNECTED)
        {
            return;
        }
        if (errorCode != ErrorCode.NONE)
        {
            counters.errorResponses.incrementRelease();
        }
        if (replica.topic.internal)
        {
            // An offset commit: baseOffset holds the committed offset. A leader that lost the offsets topic lost
            // the coordination with it.
            final ErrorCode code = errorCode == ErrorCode.NOT_LEADER ? ErrorCode.NOT_COORDINATOR : errorCode;
            send(session, proxy.offsetResponse(ack.correlationId, code,
                code == ErrorCode.NONE ? ack.baseOffset : -1,
                code == ErrorCode.NONE ? "" : "cannot store the offset: " + message));
            return;
        }
        send(session, proxy.produceResponse(ack.correlationId, replica.topic.id, replica.partition, errorCode,
            errorCode == ErrorCode.NONE ? ack.baseOffset : -1, replica.log.logStartOffset(), message));
    }

    public void onLeadershipLost(final Replica replica)
    {
        for (int i = fetchSessions.size() - 1; i >= 0; i--)
        {
            final FetchSession fetch = fetchSessions.get(i);
            if (fetch.topic == replica.topic && fetch.partition == replica.partition)
            {
                endFetch(fetch, ErrorCode.NOT_LEADER, notLeaderMessage(replica.topic, replica.partition));
            }
        }
    }

    public void onImage(final ClusterMetadata metadata)
    {
        final Set<Integer> live = new HashSet<>();
        for (final BrokerInfo broker : metadata.brokers())
        {
            replicaManager.applyBroker(broker);
        }
        for (final TopicInfo info : metadata.topics())
        {
            live.add((int)info.topicId());
            applyTopic(info);
        }
        for (final Topic topic : topics.all())
        {
            if (!topic.internal && !live.contains(topic.id))
            {
                removeTopic(topic);
            }
        }
        metadata.forEachPartition(this::applyPartition);
        updateCoordination();
        if (!hasImage)
        {
            hasImage = true;
            // Partitions here of topics the cluster no longer has (deleted while this broker was away) go.
            for (final String name : logManager.topics())
            {
                final Topic topic = topics.byName(name);
                if (null == topic)
                {
                    for (int p = 0; p < logManager.partitionCount(name); p++)
                    {
                        deleteLocalPartition(name, p);
                    }
                }
            }
            LOG.info("{}: has the cluster metadata (version {}): {} topics", brokerName, metadata.version(),
                metadata.topics().size());
        }
    }

    public void onRecord(final MetadataRecord record, final ClusterMetadata metadata)
    {
        if (record instanceof BrokerInfo broker)
        {
            replicaManager.applyBroker(broker);
        }
        else if (record instanceof TopicInfo info)
        {
            applyTopic(info);
        }
        else if (record instanceof PartitionInfo info)
        {
            applyPartition(info);
        }
        else if (record instanceof TopicRemoved removed)
        {
            final Topic topic = topics.byId((int)removed.topicId());
            if (null != topic)
            {
                removeTopic(topic);
            }
        }
    }

    private void applyTopic(final TopicInfo info)
    {
        final Topic existing = topics.byId((int)info.topicId());
        if (null != existing)
        {
            return;
        }
        final Topic sameName = topics.byName(info.name());
        if (null != sameName)
        {
            removeTopic(sameName);
        }
        final LogConfig config = ctx.logConfig().with(logOverrides(info.configs()));
        topics.add(new Topic(info.name(), (int)info.topicId(), new PartitionLog[info.partitionCount()], config, info));
        groups.onTopicChanged(info.name(), nowNs);
    }

    private void applyPartition(final PartitionInfo info)
    {
        final Topic topic = topics.byId((int)info.topicId());
        if (null == topic || info.partition() < 0 || info.partition() >= topic.partitions.length)
        {
            return;
        }
        topic.clusterPartitions[info.partition()] = info;
        if (!info.replicas().contains(ctx.brokerId()))
        {
            return;
        }
        Replica replica = replicaManager.replica(topic.id, info.partition());
        if (null == replica)
        {
            if (null == logManager.log(topic.name, info.partition()))
            {
                if (logOpensLeft <= 0)
                {
                    waitToOpen(info);
                    return;
                }
                logOpensLeft--; // a new log: its starter segment is zero-filled now
            }
            try
            {
                final PartitionLog log = logManager.openPartition(
                    topic.name, info.partition(), logOverrides(topic.info.configs()));
                topic.partitions[info.partition()] = log;
                replica = replicaManager.add(topic, info.partition(), log);
            }
            catch (final RuntimeException ex)
            {
                ctx.errorHandler().onError(new IllegalStateException(
                    "cannot open the replica of " + topic.name + "-" + info.partition(), ex));
                return;
            }
        }
        replicaManager.applyPartition(replica, info, nowNs);
        if (topic.internal)
        {
            updateCoordination();
        }
    }

    /**
     * Keep the latest metadata of a replica whose log waits to be opened in a later duty cycle.
     */
    private void waitToOpen(final PartitionInfo info)
    {
        for (int i = 0; i < replicasToOpen.size(); i++)
        {
            final PartitionInfo waiting = replicasToOpen.get(i);
            if (waiting.topicId() == info.topicId() && waiting.partition() == info.partition())
            {
                replicasToOpen.set(i, info);
                return;
            }
        }
        replicasToOpen.add(info);
    }

    /**
     * Open the logs of waiting replicas, as many as this duty cycle allows, in the order they were assigned.
     */
    private int openWaitingReplicas()
    {
        int opened = 0;
        while (logOpensLeft > 0 && !replicasToOpen.isEmpty())
        {
            applyPartition(replicasToOpen.remove(0));
            opened++;
        }
        if (replicasToOpen.isEmpty())
        {
            LOG.info("{}: every replica assigned here is open", brokerName);
        }
        return opened;
    }

    private void removeTopic(final Topic topic)
    {
        for (int i = fetchSessions.size() - 1; i >= 0; i--)
        {
            final FetchSession fetch = fetchSessions.get(i);
            if (fetch.topic == topic)
            {
                endFetch(fetch, ErrorCode.TOPIC_DELETED, "topic " + topic.name + " was deleted");
            }
        }
        topics.remove(topic.name);
        for (int p = 0; p < topic.partitions.length; p++)
        {
            final Replica replica = replicaManager.replica(topic.id, p);
            if (null != replica)
            {
                replicaManager.remove(replica);
            }
            if (null != topic.partitions[p])
            {
                deleteLocalPartition(topic.name, p);
            }
        }
        groups.onTopicChanged(topic.name, nowNs);
        if (topic.internal)
        {
            updateCoordination();
        }
        LOG.info("{}: removed topic {}", brokerName, topic.name);
    }

    // ------------------------------------------------------------------------------------------------ coordination

    /**
     * In a cluster: coordinate groups while this broker leads the offsets topic's partition, else not. Taking over
     * reloads the offsets from this broker's replica; giving up forgets groups and offsets.
     */
    private void updateCoordination()
    {
        final Topic topic = topics.byName(GroupOffsets.TOPIC);
        final Replica replica = null == topic ? null : replicaManager.replica(topic.id, 0);
        final Replica leading = null != replica && replica.leader ? replica : null;
        if (leading == coordinatorReplica)
        {
            return;
        }
        if (null != coordinatorReplica)
        {
            groups.resign("broker " + ctx.brokerId() + " no longer coordinates groups");
            groupOffsets.detach();
            LOG.info("{}: no longer coordinates consumer groups", brokerName);
        }
        coordinatorReplica = leading;
        if (null != leading)
        {
            groupOffsets.attach(leading.log);
            LOG.info("{}: coordinates consumer groups (leads {} in epoch {}): {} offsets loaded", brokerName,
                leading, leading.leaderEpoch, groupOffsets.size());
        }
    }

    /**
     * The broker that coordinates groups: this one alone; in a cluster, the leader of the offsets topic, or -1.
     */
    private int coordinatorId()
    {
        if (null == controller)
        {
            return ctx.brokerId();
        }
        final Topic topic = topics.byName(GroupOffsets.TOPIC);
        final PartitionInfo info = null == topic ? null : topic.clusterPartitions[0];
        return null == info ? -1 : info.leader();
    }

    /**
     * @return null when this broker coordinates groups, else why a group or offset request is refused
     * ({@code NOT_COORDINATOR}).
     */
    private String notCoordinator()
    {
        if (null == controller || null != coordinatorReplica)
        {
            return null;
        }
        final int coordinator = coordinatorId();
        return "broker " + ctx.brokerId() + " does not coordinate consumer groups: " +
            (coordinator < 0 ? "no broker does now (the offsets topic has no leader yet)" :
            "broker " + coordinator + " does");
    }

    /**
     * In a cluster, until the offsets topic exists: ask the controller to create it once enough brokers are alive
     * for its replication factor (every broker asks; one creation wins, the others hear TOPIC_EXISTS).
     */
    private int maybeCreateOffsetsTopic()
    {
        if (!hasImage || offsetsTopicRequested || nowNs - offsetsTopicAttemptNs < 0 ||
            null != topics.byName(GroupOffsets.TOPIC))
        {
            return 0;
        }
        final int replicationFactor = GroupOffsets.replicationFactor(ctx.clusterMembers().size());
        if (controller.metadata().aliveBrokers().size() < replicationFactor)
        {
            return 0;
        }
        offsetsTopicRequested = true;
        offsetsTopicAttemptNs = nowNs + TimeUnit.SECONDS.toNanos(1);
        controller.createTopic(GroupOffsets.TOPIC, 1, replicationFactor, GroupOffsets.clusterTopicConfig(
            replicationFactor)).whenComplete((response, error) ->
        {
            offsetsTopicRequested = false;
            if (null == error && !response.isOk() && response.error() != ControllerError.TOPIC_EXISTS)
            {
                LOG.warn("{}: cannot create {} yet: {}", brokerName, GroupOffsets.TOPIC, response.message());
            }
        });
        return 1;
    }

    private void deleteLocalPartition(final String name, final int partition)
    {
        try
        {
            logManager.deletePartition(name, partition);
        }
        catch (final RuntimeException ex)
        {
            ctx.errorHandler().onError(ex);
        }
    }

    /**
     * The log settings of a cluster topic's configs: the replication ones are the controller's.
     */
    static Map<String, String> logOverrides(final Map<String, String> configs)
    {
        final Map<String, String> overrides = new TreeMap<>(configs);
        overrides.remove(TopicInfo.MIN_INSYNC_REPLICAS);
        overrides.remove(TopicInfo.UNCLEAN_LEADER_ELECTION);
        return overrides;
    }

    /**
     * A single broker's topic whose partitions are created a few per duty cycle; answered when all are.
     */
    private record PendingCreation(ClientSession session, long correlationId, LogManager.TopicCreation creation)
    {
    }

    private int takeLogOpens(final int wanted)
    {
        final int taken = Math.max(0, Math.min(wanted, logOpensLeft));
        logOpensLeft -= taken;
        return taken;
    }

    private boolean isBeingCreated(final String name)
    {
        for (int i = 0; i < pendingCreations.size(); i++)
        {
            if (pendingCreations.get(i).creation().topic().equals(name))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Go on creating the partitions of topics being created, as many as this duty cycle allows; list and answer
     * each topic once complete, even if its client left (the topic exists, as in Kafka).
     */
    private int continueCreations()
    {
        int work = 0;
        while (logOpensLeft > 0 && !pendingCreations.isEmpty())
        {
            final PendingCreation pending = pendingCreations.get(0);
            work++;
            try
            {
                if (!pending.creation().createPartitions(takeLogOpens(Integer.MAX_VALUE)))
                {
                    continue;
                }
                pendingCreations.remove(0);
                final int topicId = completeCreation(pending);
                answerCreation(pending, ErrorCode.NONE, topicId, "");
            }
            catch (final LogStorageException ex)
            {
                pendingCreations.remove(0);
                ctx.errorHandler().onError(ex);
                answerCreation(pending, ErrorCode.STORAGE_ERROR, -1, ex.getMessage());
            }
        }
        return work;
    }

    private int completeCreation(final PendingCreation pending)
    {
        final LogManager.TopicCreation creation = pending.creation();
        final String name = creation.topic();
        final List<PartitionLog> logs = creation.complete();
        final int topicId = topics.add(name, logs, logManager.topicConfig(name)).id;
        LOG.info("{}: created topic {} with {} partitions", brokerName, name, logs.size());
        groups.onTopicChanged(name, nowNs);
        return topicId;
    }

    private void answerCreation(final PendingCreation pending, final ErrorCode errorCode, final int topicId,
        final String message)
    {
        if (pending.session().state != ClientSession.State.CONNECTED)
        {
            return;
        }
        if (errorCode != ErrorCode.NONE)
        {
            counters.errorResponses.incrementRelease();
        }
        send(pending.session(), proxy.adminResponse(pending.correlationId(), errorCode, topicId, message));
    }

    /**
     * An admin request the controller accepted, answered once this broker's metadata has the change.
     */
    private record PendingAdmin(ClientSession session, long correlationId, String topic, long version,
        boolean create, long deadlineNs)
    {
    }

    private int answerPendingAdmins()
    {
        int work = 0;
        for (int i = pendingAdmins.size() - 1; i >= 0; i--)
        {
            final PendingAdmin admin = pendingAdmins.get(i);
            if (controller.metadataVersion() >= admin.version() || nowNs - admin.deadlineNs() >= 0)
            {
                pendingAdmins.remove(i);
                work++;
                if (admin.session().state != ClientSession.State.CONNECTED)
                {
                    continue;
                }
                final Topic topic = topics.byName(admin.topic());
                send(admin.session(), proxy.adminResponse(admin.correlationId(), ErrorCode.NONE,
                    admin.create() && null != topic ? topic.id : -1, ""));
            }
        }
        return work;
    }

    private void forwardToController(
        final ClientSession session, final long correlationId, final String name, final boolean create,
        final java.util.concurrent.CompletableFuture<ControllerClient.Response> request)
    {
        request.whenComplete((response, error) ->
        {
            if (session.state != ClientSession.State.CONNECTED)
            {
                return;
            }
            if (null == error && response.isOk())
            {
                pendingAdmins.add(new PendingAdmin(session, correlationId, name, response.metadataVersion(), create,
                    nowNs + ctx.replicaAckTimeoutNs()));
                return;
            }
            counters.errorResponses.incrementRelease();
            final ErrorCode code = null != error ? ErrorCode.REQUEST_TIMED_OUT : controllerErrorCode(response.error());
            final String message = null != error ? "controller: " + error.getMessage() : response.message();
            send(session, proxy.adminResponse(correlationId, code, -1, message));
        });
    }

    private static ErrorCode controllerErrorCode(final ControllerError error)
    {
        return switch (error)
        {
            case TOPIC_EXISTS -> ErrorCode.TOPIC_EXISTS;
            case UNKNOWN_TOPIC -> ErrorCode.UNKNOWN_TOPIC;
            case INVALID_PARTITIONS -> ErrorCode.INVALID_PARTITIONS;
            case INVALID_REPLICATION_FACTOR -> ErrorCode.INVALID_REPLICATION_FACTOR;
            case INVALID_CONFIG -> ErrorCode.INVALID_CONFIG;
            case TIMED_OUT -> ErrorCode.REQUEST_TIMED_OUT;
            default -> ErrorCode.INVALID_REQUEST;
        };
    }

    private static ErrorCode appendErrorCode(final long result)
    {
        if (result == PartitionLog.RECORD_TOO_LARGE)
        {
            return ErrorCode.RECORD_TOO_LARGE;
        }
        if (result == PartitionLog.STORAGE_FULL)
        {
            return ErrorCode.STORAGE_FULL;
        }
        if (result == PartitionLog.STORAGE_ERROR)
        {
            return ErrorCode.STORAGE_ERROR;
        }
        if (result == PartitionLog.LOG_CLOSED)
        {
            return ErrorCode.UNKNOWN_TOPIC;
        }
        if (result == PartitionLog.OUT_OF_ORDER_SEQUENCE)
        {
            return ErrorCode.OUT_OF_ORDER_SEQUENCE;
        }
        return ErrorCode.CORRUPT_BATCH;
    }

    private static String appendErrorMessage(
        final long result, final int length, final Topic topic, final int partition)
    {
        final String where = topic.name + "-" + partition;
        if (result == PartitionLog.RECORD_TOO_LARGE)
        {
            return "batch of " + length + " bytes is larger than max.message.bytes " +
                topic.config.maxMessageBytes() + " of " + topic.name;
        }
        if (result == PartitionLog.STORAGE_FULL)
        {
            return "no space left on the broker's device for " + where;
        }
        if (result == PartitionLog.STORAGE_ERROR)
        {
            return "the broker cannot write " + where + " (see its log)";
        }
        if (result == PartitionLog.LOG_CLOSED)
        {
            return "topic " + topic.name + " was deleted";
        }
        if (result == PartitionLog.INVALID_OFFSET_DELTAS)
        {
            return "batch's offset deltas do not run 0 to record count - 1";
        }
        if (result == PartitionLog.OUT_OF_ORDER_SEQUENCE)
        {
            return "the batch's producer sequence is neither the next of its producer on " + where +
                " nor a retry of one of its last batches (or its producer epoch is old)";
        }
        return "batch refused: " + RecordBatchDescriptor.errorMessage((int)result);
    }

    // ------------------------------------------------------------------------------------------------ fetch

    public boolean onFetch(
        final int sessionId,
        final long correlationId,
        final long fetchSessionId,
        final int topicId,
        final int partition,
        final long fetchOffset,
        final short creditMode,
        final long initialCredit)
    {
        final ClientSession session = connected(sessionId);
        if (null == session)
        {
            return true;
        }
        if (session.isBlocked())
        {
            return false;
        }
        counters.requests.incrementRelease();

        final Topic topic = topics.byId(topicId);
        ErrorCode errorCode = ErrorCode.NONE;
        String message = "";
        if (null == topic)
        {
            errorCode = ErrorCode.UNKNOWN_TOPIC;
            message = "no topic has id " + topicId + " (deleted, or the broker restarted: look it up again)";
        }
        else if (!allowsTopic(session, topic, AclOperation.READ))
        {
            errorCode = ErrorCode.NOT_AUTHORIZED;
            message = denied(session, AclOperation.READ, AclResourceType.TOPIC, topic.name);
        }
        else if (partition < 0 || partition >= topic.partitions.length)
        {
            errorCode = ErrorCode.UNKNOWN_PARTITION;
            message = "topic " + topic.name + " has partitions 0 to " + (topic.partitions.length - 1) + ", not " +
                partition;
        }
        else if (creditMode != CreditMode.RECORDS.value() && creditMode != CreditMode.BYTES.value())
        {
            errorCode = ErrorCode.INVALID_CREDIT;
            message = "credit mode must be RECORDS (0) or BYTES (1), not " + creditMode;
        }
        else if (initialCredit < 0)
        {
            errorCode = ErrorCode.INVALID_CREDIT;
            message = "credit must not be negative: " + initialCredit;
        }
        else if (fetchOffset < ClientProtocol.EARLIEST_OFFSET)
        {
            errorCode = ErrorCode.INVALID_OFFSET;
            message = "fetch offset " + fetchOffset + " is negative (-2 is earliest, -1 latest)";
        }
        else if (session.fetchSessions.containsKey(fetchSessionId))
        {
            errorCode = ErrorCode.INVALID_REQUEST;
            message = "fetch session " + fetchSessionId + " is already open on this connection";
        }
        else if (null != replicaManager && !leads(topic, partition))
        {
            errorCode = notLeaderCode(topic, partition);
            message = notLeaderMessage(topic, partition);
        }

        long nextOffset = -1;
        long logStartOffset = -1;
        long highWatermark = -1;
        if (errorCode == ErrorCode.NONE)
        {
            final PartitionLog log = topic.partitions[partition];
            final Replica replica = null == replicaManager ? null : replicaManager.replica(topicId, partition);
            logStartOffset = log.logStartOffset();
            highWatermark = null == replica ? log.logEndOffset() : replica.highWatermark;
            nextOffset = fetchOffset == ClientProtocol.EARLIEST_OFFSET ? logStartOffset :
                fetchOffset == ClientProtocol.LATEST_OFFSET ? highWatermark : fetchOffset;
            if (nextOffset < logStartOffset || nextOffset > highWatermark)
            {
                errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
                message = "offset " + nextOffset + " is outside " + topic.name + "-" + partition + "'s range " +
                    logStartOffset + " to " + highWatermark;
            }
            else
            {
                final FetchSession fetch = new FetchSession(session, fetchSessionId, topic, partition,
                    creditMode == CreditMode.BYTES.value(), nextOffset, initialCredit, replica);
                session.fetchSessions.put(fetchSessionId, fetch);
                fetchSessions.add(fetch);
            }
        }
        if (errorCode != ErrorCode.NONE)
        {
            counters.errorResponses.incrementRelease();
        }
        send(session, proxy.fetchStatus(
            correlationId, fetchSessionId, errorCode, nextOffset, logStartOffset, highWatermark, message));
        return true;
    }

    public boolean onFetchCredit(final int sessionId, final long fetchSessionId, final long credit)
    {
        final ClientSession session = connected(sessionId);
        if (null == session)
        {
            return true;
        }
        final FetchSession fetch = session.fetchSessions.get(fetchSessionId);
        if (null == fetch || credit < 0)
        {
            if (session.isBlocked())
            {
                return false;
            }
            sendError(session, -1, null == fetch ? ErrorCode.UNKNOWN_FETCH_SESSION : ErrorCode.INVALID_CREDIT,
                FetchCreditDecoder.TEMPLATE_ID,
                null == fetch ? "no fetch session " + fetchSessionId + " on this connection" :
                    "credit must not be negative: " + credit);
            return true;
        }
        fetch.addCredit(credit);
        return true;
    }

    public boolean onFetchClose(final int sessionId, final long fetchSessionId)
    {
        final ClientSession session = connected(sessionId);
        if (null != session)
        {
            final FetchSession fetch = session.fetchSessions.remove(fetchSessionId);
            if (null != fetch)
            {
                fetchSessions.remove(fetch);
            }
        }
        return true;
    }

    private int serviceFetchSessions()
    {
        final int count = fetchSessions.size();
        if (0 == count)
        {
            return 0;
        }
        int sends = 0;
        for (int i = 0; i < count && sends < FETCH_SENDS_PER_CYCLE; i++)
        {
            if (fetchCursor >= fetchSessions.size())
            {
                fetchCursor = 0;
            }
            final FetchSession fetch = fetchSessions.get(fetchCursor);
            final int sent = serviceFetch(fetch);
            if (sent >= 0)
            {
                fetchCursor++;
            }
            sends += Math.abs(sent);
            if (fetchSessions.isEmpty())
            {
                break;
            }
        }
        return sends;
    }

    /**
     * Send what one fetch session may have.
     *
     * @return 1 if a message was sent, 0 if none, -1 if the session ended (and was removed).
     */
    private int serviceFetch(final FetchSession fetch)
    {
        final ClientSession session = fetch.client;
        if (fetch.credit <= 0 || session.isBlocked() || !session.fetchQuota.allows(nowNs))
        {
            return 0;
        }
        final PartitionLog log = fetch.log;
        // Consumers read only below the high watermark: on a single broker the log end, in a cluster the least log
        // end offset of the in-sync replicas.
        final long highWatermark = null == fetch.replica ? log.logEndOffset() : fetch.replica.highWatermark;
        if (fetch.nextOffset >= highWatermark && !log.isClosed())
        {
            return 0;
        }
        final int maxBytes = fetch.creditInBytes ?
            (int)Math.min(maxFetchBatchLength, fetch.credit) : maxFetchBatchLength;
        final int status = log.read(fetch.nextOffset, maxBytes, readResult);
        try
        {
            if (status == LogReadResult.NO_DATA)
            {
                return 0;
            }
            if (status == LogReadResult.LOG_CLOSED)
            {
                endFetch(fetch, ErrorCode.TOPIC_DELETED, "topic " + fetch.topic.name + " was deleted");
                return -1;
            }
            if (status == LogReadResult.OFFSET_OUT_OF_RANGE)
            {
                endFetch(fetch, ErrorCode.OFFSET_OUT_OF_RANGE, "offset " + fetch.nextOffset + " is no longer in " +
                    fetch.topic.name + "-" + fetch.partition + ", which starts at " + readResult.logStartOffset());
                return -1;
            }

            final DirectBuffer buffer = readResult.buffer();
            final int available = readResult.length();
            final long from = fetch.nextOffset;
            // Record credit counts records, not offsets: a compacted log has gaps in its offsets.
            long records = 0;
            long to = from - 1;
            int length = 0;
            while (length < available && (fetch.creditInBytes || records < fetch.credit) &&
                RecordBatchDescriptor.baseOffset(buffer, length) < highWatermark)
            {
                final int batchLength = RecordBatchDescriptor.batchLength(buffer, length);
                if (length + batchLength > maxFetchBatchLength ||
                    (fetch.creditInBytes && length + batchLength > fetch.credit))
                {
                    break;
                }
                final long lastOffset = RecordBatchDescriptor.baseOffset(buffer, length) +
                    RecordBatchDescriptor.lastOffsetDelta(buffer, length);
                to = lastOffset;
                if (!fetch.creditInBytes)
                {
                    final long wanted = fetch.credit - records;
                    final long inRange = recordsFrom(buffer, length, from);
                    if (inRange > wanted)
                    {
                        to = offsetOfRecordFrom(buffer, length, from, wanted);
                        records += wanted;
                        length += batchLength;
                        break;
                    }
                    records += inRange;
                }
                length += batchLength;
            }
            if (0 == length)
            {
                if (RecordBatchDescriptor.batchLength(buffer, 0) > maxFetchBatchLength)
                {
                    endFetch(fetch, ErrorCode.RECORD_TOO_LARGE, "the batch at offset " + from +
                        " is larger than this connection's largest frame");
                    return -1;
                }
                return 0; // byte credit smaller than the next batch: wait for more
            }

            final int headerLength = proxy.fetchDataHeader(
                fetch.id, fetch.topic.id, fetch.partition, from, to, highWatermark, length);
            final long result = session.publication.offer(proxy.buffer(), 0, headerLength, buffer, 0, length);
            if (result > 0)
            {
                fetch.credit -= fetch.creditInBytes ? length : records;
                fetch.nextOffset = to + 1;
                session.fetchQuota.take(length);
                counters.fetchedBytes.getAndAddRelease(length);
                return 1;
            }
            if (ClientSession.isRetryable(result))
            {
                return 0;
            }
            LOG.info("{}: {} is gone", brokerName, session);
            closeSession(session);
            return -1;
        }
        finally
        {
            readResult.release();
        }
    }

    /**
     * Records at or after {@code from} in the batch at {@code position}: arithmetic for a batch without gaps, a walk
     * of its records for one compaction filtered.
     */
    private long recordsFrom(final DirectBuffer buffer, final int position, final long from)
    {
        final long base = RecordBatchDescriptor.baseOffset(buffer, position);
        final int count = RecordBatchDescriptor.recordCount(buffer, position);
        if (base >= from)
        {
            return count;
        }
        if (RecordBatchDescriptor.lastOffsetDelta(buffer, position) == count - 1)
        {
            return base + count - from;
        }
        long inRange = 0;
        creditView.wrap(buffer, position);
        while (creditView.nextRecord())
        {
            inRange += creditView.offset() >= from ? 1 : 0;
        }
        return inRange;
    }

    /**
     * Offset of the {@code n}th record at or after {@code from} in the batch at {@code position} (n at least 1).
     */
    private long offsetOfRecordFrom(final DirectBuffer buffer, final int position, final long from, final long n)
    {
        final long base = RecordBatchDescriptor.baseOffset(buffer, position);
        final int count = RecordBatchDescriptor.recordCount(buffer, position);
        if (RecordBatchDescriptor.lastOffsetDelta(buffer, position) == count - 1)
        {
            return Math.max(base, from) + n - 1;
        }
        long seen = 0;
        creditView.wrap(buffer, position);
        while (creditView.nextRecord())
        {
            if (creditView.offset() >= from && ++seen == n)
            {
                return creditView.offset();
            }
        }
        throw new IllegalStateException("fewer than " + n + " records from " + from + " in the batch at " + base);
    }

    private void endFetch(final FetchSession fetch, final ErrorCode errorCode, final String message)
    {
        fetch.client.fetchSessions.remove(fetch.id);
        fetchSessions.remove(fetch);
        counters.errorResponses.incrementRelease();
        send(fetch.client, proxy.fetchStatus(-1, fetch.id, errorCode, fetch.nextOffset,
            fetch.log.isClosed() ? -1 : fetch.log.logStartOffset(), fetch.log.isClosed() ? -1 : fetch.log.logEndOffset(),
            message));
    }

    // ------------------------------------------------------------------------------------------------ admin

    public boolean onMetadata(
        final int sessionId, final long correlationId, final String topicName, final boolean includeConfig)
    {
        return take(sessionId, (session) ->
        {
            final List<Topic> selected;
            if (topicName.isEmpty())
            {
                selected = new ArrayList<>();
                for (final Topic topic : topics.all())
                {
                    if (!topic.internal &&
                        allows(session, AclResourceType.TOPIC, topic.name, AclOperation.DESCRIBE))
                    {
                        selected.add(topic);
                    }
                }
            }
            else
            {
                // Refused whether or not the topic exists, so that a user cannot learn which topics exist.
                if (refusedAsNotAuthorized(session, AclResourceType.TOPIC, topicName, AclOperation.DESCRIBE,
                    (refusal) ->
                    {
                        final MetadataResponseEncoder refused = proxy.metadataResponse(
                            correlationId, ErrorCode.NOT_AUTHORIZED, ctx.brokerId(), coordinatorId());
                        refused.topicsCount(0);
                        encodeBrokers(refused);
                        refused.errorMessage(refusal);
                        return proxy.encodedLength(refused);
                    }))
                {
                    return;
                }
                final Topic topic = topics.byName(topicName);
                selected = null == topic ? Collections.emptyList() : List.of(topic);
            }
            final boolean unknown = !topicName.isEmpty() && selected.isEmpty();
            final MetadataResponseEncoder encoder = proxy.metadataResponse(
                correlationId, unknown ? ErrorCode.UNKNOWN_TOPIC : ErrorCode.NONE, ctx.brokerId(), coordinatorId());
            final MetadataResponseEncoder.TopicsEncoder topicsEncoder = encoder.topicsCount(selected.size());
            for (final Topic topic : selected)
            {
                topicsEncoder.next()
                    .topicId(topic.id)
                    .partitionCount(topic.partitions.length)
                    .replicationFactor((short)(null == topic.info ? 1 : topic.info.replicationFactor()));
                final MetadataResponseEncoder.TopicsEncoder.PartitionsEncoder partitionsEncoder =
                    topicsEncoder.partitionsCount(topic.partitions.length);
                for (int p = 0; p < topic.partitions.length; p++)
                {
                    if (null != topic.info)
                    {
                        encodeClusterPartition(partitionsEncoder.next(), topic, p);
                        continue;
                    }
                    final PartitionLog log = topic.partitions[p];
                    final long end = log.logEndOffset();
                    partitionsEncoder.next()
                        .partition(p)
                        .leader(ctx.brokerId())
                        .leaderEpoch(log.leaderEpoch())
                        .logStartOffset(log.logStartOffset())
                        .highWatermark(end)
                        .logEndOffset(end)
                        .sizeBytes(log.sizeInBytes())
                        .replicasCount(1)
                        .next()
                        .brokerId(ctx.brokerId())
                        .inSync((short)1);
                }
                final Map<String, String> config = !includeConfig ? Map.of() : clusterConfig(topic);
                final MetadataResponseEncoder.TopicsEncoder.ConfigsEncoder configsEncoder =
                    topicsEncoder.configsCount(config.size());
                for (final Map.Entry<String, String> entry : config.entrySet())
                {
                    configsEncoder.next().key(entry.getKey()).value(entry.getValue());
                }
                topicsEncoder.name(topic.name);
            }
            encodeBrokers(encoder);
            encoder.errorMessage(unknown ? "no topic named '" + topicName + "'" : "");
            if (unknown)
            {
                counters.errorResponses.incrementRelease();
            }
            send(session, proxy.encodedLength(encoder));
        });
    }

    /**
     * The brokers a client may connect to: in a cluster, every live broker of the controller's metadata; alone,
     * this broker.
     */
    private void encodeBrokers(final MetadataResponseEncoder encoder)
    {
        if (null == controller)
        {
            encoder.brokersCount(1).next().brokerId(ctx.brokerId()).port(address.port()).host(address.host());
            return;
        }
        int alive = 0;
        for (final BrokerInfo broker : controller.metadata().brokers())
        {
            alive += broker.alive() ? 1 : 0;
        }
        final MetadataResponseEncoder.BrokersEncoder brokersEncoder = encoder.brokersCount(alive);
        for (final BrokerInfo broker : controller.metadata().brokers())
        {
            if (broker.alive())
            {
                brokersEncoder.next().brokerId(broker.nodeId()).port(broker.clientPort()).host(broker.host());
            }
        }
    }

    private static Map<String, String> clusterConfig(final Topic topic)
    {
        if (null == topic.info)
        {
            return topic.config.values();
        }
        final Map<String, String> config = new TreeMap<>(topic.config.values());
        config.put(TopicInfo.MIN_INSYNC_REPLICAS, Integer.toString(topic.minInsyncReplicas));
        config.put(TopicInfo.UNCLEAN_LEADER_ELECTION, Boolean.toString(topic.info.uncleanLeaderElection()));
        return config;
    }

    /**
     * A partition of a cluster topic: leader, replicas and ISR from the controller; offsets from this broker's replica
     * if it has one (-1 otherwise: ask the leader).
     */
    private void encodeClusterPartition(
        final MetadataResponseEncoder.TopicsEncoder.PartitionsEncoder encoder, final Topic topic, final int partition)
    {
        final PartitionInfo info = topic.clusterPartitions[partition];
        final Replica replica = replicaManager.replica(topic.id, partition);
        final PartitionLog log = topic.partitions[partition];
        encoder.partition(partition)
            .leader(null == info ? PartitionInfo.NO_LEADER : info.leader())
            .leaderEpoch(null == info ? -1 : info.leaderEpoch())
            .logStartOffset(null == log ? -1 : log.logStartOffset())
            .highWatermark(null == replica ? -1 : replica.highWatermark)
            .logEndOffset(null == log ? -1 : log.logEndOffset())
            .sizeBytes(null == log ? -1 : log.sizeInBytes());
        final List<Integer> replicas = null == info ? List.of() : info.replicas();
        final MetadataResponseEncoder.TopicsEncoder.PartitionsEncoder.ReplicasEncoder replicasEncoder =
            encoder.replicasCount(replicas.size());
        for (final int id : replicas)
        {
            replicasEncoder.next().brokerId(id).inSync((short)(info.isr().contains(id) ? 1 : 0));
        }
    }

    public boolean onCreateTopic(
        final int sessionId,
        final long correlationId,
        final int partitions,
        final int replicationFactor,
        final CreateTopicRequestDecoder decoder)
    {
        return take(sessionId, (session) ->
        {
            final Map<String, String> overrides = new TreeMap<>();
            for (final CreateTopicRequestDecoder.ConfigsDecoder config : decoder.configs())
            {
                final String key = config.key();
                overrides.put(key, config.value());
            }
            final String name = decoder.topic();

            ErrorCode errorCode = ErrorCode.NONE;
            String message = "";
            int topicId = -1;
            if (!TOPIC_NAME.matcher(name).matches() || ".".equals(name) || "..".equals(name))
            {
                errorCode = ErrorCode.INVALID_TOPIC;
                message = "topic names are 1 to 200 of a-z A-Z 0-9 . _ -, and not . or ..: '" + name + "'";
            }
            else if (name.startsWith(TopicRegistry.INTERNAL_PREFIX))
            {
                errorCode = ErrorCode.INVALID_TOPIC;
                message = "names starting with " + TopicRegistry.INTERNAL_PREFIX + " are for internal topics";
            }
            else if (!allows(session, AclResourceType.TOPIC, name, AclOperation.CREATE))
            {
                errorCode = ErrorCode.NOT_AUTHORIZED;
                message = denied(session, AclOperation.CREATE, AclResourceType.TOPIC, name);
            }
            else if (null != topics.byName(name) || isBeingCreated(name))
            {
                errorCode = ErrorCode.TOPIC_EXISTS;
                message = "topic " + name + " already exists";
            }
            else if (partitions < 1 || partitions > MAX_PARTITIONS)
            {
                errorCode = ErrorCode.INVALID_PARTITIONS;
                message = "partitions must be 1 to " + MAX_PARTITIONS + ", not " + partitions;
            }
            else if (null == controller && replicationFactor != 1)
            {
                errorCode = ErrorCode.INVALID_REPLICATION_FACTOR;
                message = "replication factor must be 1 on a single broker, not " + replicationFactor;
            }
            else if (null != controller)
            {
                try
                {
                    final LogConfig config = ctx.logConfig().with(logOverrides(overrides));
                    if (config.maxMessageBytes() > maxFetchBatchLength)
                    {
                        errorCode = ErrorCode.INVALID_CONFIG;
                        message = "max.message.bytes " + config.maxMessageBytes() + " is more than the broker " +
                            "sends in one frame: " + maxFetchBatchLength + " (raise the broker's client.term.length)";
                    }
                    else
                    {
                        forwardToController(session, correlationId, name, true,
                            controller.createTopic(name, partitions, replicationFactor, overrides));
                        return;
                    }
                }
                catch (final LogConfigException ex)
                {
                    errorCode = ErrorCode.INVALID_CONFIG;
                    message = ex.getMessage();
                }
            }
            else
            {
                try
                {
                    final LogConfig config = ctx.logConfig().with(overrides);
                    if (config.maxMessageBytes() > maxFetchBatchLength)
                    {
                        errorCode = ErrorCode.INVALID_CONFIG;
                        message = "max.message.bytes " + config.maxMessageBytes() + " is more than the broker sends " +
                            "in one frame: " + maxFetchBatchLength + " (raise the broker's client.term.length)";
                    }
                    else
                    {
                        final LogManager.TopicCreation creation = logManager.beginTopic(name, partitions, overrides);
                        final PendingCreation pending = new PendingCreation(session, correlationId, creation);
                        final int now = takeLogOpens(partitions);
                        if (0 == now || !creation.createPartitions(now))
                        {
                            pendingCreations.add(pending);
                            return;
                        }
                        topicId = completeCreation(pending);
                    }
                }
                catch (final LogConfigException ex)
                {
                    errorCode = ErrorCode.INVALID_CONFIG;
                    message = ex.getMessage();
                }
                catch (final LogStorageException ex)
                {
                    errorCode = ErrorCode.STORAGE_ERROR;
                    message = ex.getMessage();
                    ctx.errorHandler().onError(ex);
                }
                catch (final IllegalArgumentException ex)
                {
                    errorCode = ErrorCode.INVALID_REQUEST;
                    message = ex.getMessage();
                }
            }
            if (errorCode != ErrorCode.NONE)
            {
                counters.errorResponses.incrementRelease();
            }
            send(session, proxy.adminResponse(correlationId, errorCode, topicId, message));
        });
    }

    public boolean onDeleteTopic(final int sessionId, final long correlationId, final String name)
    {
        return take(sessionId, (session) ->
        {
            final Topic topic = topics.byName(name);
            ErrorCode errorCode = ErrorCode.NONE;
            String message = "";
            if (!allows(session, AclResourceType.TOPIC, name, AclOperation.DELETE))
            {
                errorCode = ErrorCode.NOT_AUTHORIZED;
                message = denied(session, AclOperation.DELETE, AclResourceType.TOPIC, name);
            }
            else if (null == topic)
            {
                errorCode = ErrorCode.UNKNOWN_TOPIC;
                message = "no topic named '" + name + "'";
            }
            else if (topic.internal)
            {
                errorCode = ErrorCode.INVALID_TOPIC;
                message = "topic " + name + " is internal";
            }
            else if (null != controller)
            {
                forwardToController(session, correlationId, name, false, controller.deleteTopic(name));
                return;
            }
            else
            {
                for (int i = fetchSessions.size() - 1; i >= 0; i--)
                {
                    final FetchSession fetch = fetchSessions.get(i);
                    if (fetch.topic == topic)
                    {
                        endFetch(fetch, ErrorCode.TOPIC_DELETED, "topic " + name + " was deleted");
                    }
                }
                topics.remove(name);
                groups.onTopicChanged(name, nowNs);
                try
                {
                    logManager.deleteTopic(name);
                    LOG.info("{}: deleted topic {}", brokerName, name);
                }
                catch (final LogStorageException ex)
                {
                    errorCode = ErrorCode.STORAGE_ERROR;
                    message = ex.getMessage();
                    ctx.errorHandler().onError(ex);
                }
            }
            if (errorCode != ErrorCode.NONE)
            {
                counters.errorResponses.incrementRelease();
            }
            send(session, proxy.adminResponse(correlationId, errorCode, -1, message));
        });
    }

    // ------------------------------------------------------------------------------------------------ offsets

    public boolean onOffsetCommit(
        final int sessionId,
        final long correlationId,
        final String group,
        final String memberId,
        final int generation,
        final int topicId,
        final int partition,
        final long offset)
    {
        return take(sessionId, (session) ->
        {
            if (refusedAsNotCoordinator(session,
                (refusal) -> proxy.offsetResponse(correlationId, ErrorCode.NOT_COORDINATOR, -1, refusal)))
            {
                return;
            }
            final Topic topic = topics.byId(topicId);
            ErrorCode errorCode = validateOffsetRequest(group, topic, topicId, partition);
            String message = offsetRequestMessage(errorCode, group, topic, topicId, partition);
            if (errorCode == ErrorCode.NONE && (!allows(session, AclResourceType.GROUP, group, AclOperation.READ) ||
                !allowsTopic(session, topic, AclOperation.READ)))
            {
                errorCode = ErrorCode.NOT_AUTHORIZED;
                message = allows(session, AclResourceType.GROUP, group, AclOperation.READ) ?
                    denied(session, AclOperation.READ, AclResourceType.TOPIC, topic.name) :
                    denied(session, AclOperation.READ, AclResourceType.GROUP, group);
            }
            if (errorCode == ErrorCode.NONE && offset < 0)
            {
                errorCode = ErrorCode.INVALID_OFFSET;
                message = "committed offset must not be negative: " + offset;
            }
            final Replica replica = coordinatorReplica;
            if (errorCode == ErrorCode.NONE && null != replica && replica.isr.length < replica.topic.minInsyncReplicas)
            {
                errorCode = ErrorCode.NOT_ENOUGH_REPLICAS;
                message = "cannot store the offset: " + replica + " has " + replica.isr.length +
                    " in-sync replicas, fewer than its min.insync.replicas " + replica.topic.minInsyncReplicas;
            }
            if (errorCode == ErrorCode.NONE)
            {
                errorCode = groups.checkCommit(group, memberId, generation, topic.name, partition);
                if (errorCode != ErrorCode.NONE)
                {
                    message = groups.commitRefusal(errorCode, group, memberId, generation, topic.name, partition);
                }
            }
            if (errorCode == ErrorCode.NONE)
            {
                final long result = groupOffsets.commit(group, topic.name, partition, offset, epochClock.time());
                if (result >= 0 && null != replica)
                {
                    // Answered when the high watermark passes the commit's record (see onAck).
                    replicaManager.awaitHighWatermark(replica, session, correlationId, offset, result + 1);
                    return;
                }
                if (result < 0)
                {
                    errorCode = appendErrorCode(result);
                    message = "cannot store the offset: " + appendErrorMessage(result, 0, topic, partition);
                }
            }
            if (errorCode != ErrorCode.NONE)
            {
                counters.errorResponses.incrementRelease();
            }
            final long stored = errorCode == ErrorCode.NONE ? offset : -1;
            send(session, proxy.offsetResponse(correlationId, errorCode, stored, message));
        });
    }

    public boolean onOffsetFetch(
        final int sessionId, final long correlationId, final String group, final int topicId, final int partition)
    {
        return take(sessionId, (session) ->
        {
            if (refusedAsNotCoordinator(session,
                (refusal) -> proxy.offsetResponse(correlationId, ErrorCode.NOT_COORDINATOR, -1, refusal)))
            {
                return;
            }
            final Topic topic = topics.byId(topicId);
            ErrorCode errorCode = validateOffsetRequest(group, topic, topicId, partition);
            String message = offsetRequestMessage(errorCode, group, topic, topicId, partition);
            if (errorCode == ErrorCode.NONE && !allows(session, AclResourceType.GROUP, group, AclOperation.DESCRIBE))
            {
                errorCode = ErrorCode.NOT_AUTHORIZED;
                message = denied(session, AclOperation.DESCRIBE, AclResourceType.GROUP, group);
            }
            else if (errorCode == ErrorCode.NONE &&
                !allows(session, AclResourceType.TOPIC, topic.name, AclOperation.DESCRIBE))
            {
                errorCode = ErrorCode.NOT_AUTHORIZED;
                message = denied(session, AclOperation.DESCRIBE, AclResourceType.TOPIC, topic.name);
            }
            final long offset = errorCode == ErrorCode.NONE ? groupOffsets.committed(group, topic.name, partition) : -1;
            if (errorCode != ErrorCode.NONE)
            {
                counters.errorResponses.incrementRelease();
            }
            send(session, proxy.offsetResponse(correlationId, errorCode, offset, message));
        });
    }

    public boolean onOffsetForTimestamp(
        final int sessionId, final long correlationId, final int topicId, final int partition, final long timestamp)
    {
        return take(sessionId, (session) ->
        {
            final Topic topic = topics.byId(topicId);
            ErrorCode errorCode = validatePartition(topic, partition);
            String message = offsetRequestMessage(errorCode, null, topic, topicId, partition);
            if (errorCode == ErrorCode.NONE &&
                !allows(session, AclResourceType.TOPIC, topic.name, AclOperation.DESCRIBE))
            {
                errorCode = ErrorCode.NOT_AUTHORIZED;
                message = denied(session, AclOperation.DESCRIBE, AclResourceType.TOPIC, topic.name);
            }
            final long offset = errorCode == ErrorCode.NONE ?
                topic.partitions[partition].offsetForTimestamp(timestamp) : -1;
            if (errorCode != ErrorCode.NONE)
            {
                counters.errorResponses.incrementRelease();
            }
            send(session, proxy.offsetResponse(correlationId, errorCode, offset, message));
        });
    }

    // ------------------------------------------------------------------------------------------------ groups

    public boolean onJoinGroup(final int sessionId, final long correlationId, final JoinGroupRequestDecoder decoder)
    {
        return take(sessionId, (session) ->
        {
            if (refusedAsNotCoordinator(session, (refusal) -> proxy.joinGroupResponse(
                correlationId, ErrorCode.NOT_COORDINATOR, -1, "", refusal))) // the member id is not read yet
            {
                return;
            }
            final int sessionTimeoutMs = decoder.sessionTimeoutMs();
            final int rebalanceTimeoutMs = decoder.rebalanceTimeoutMs();
            final short assignor = decoder.assignorRaw();
            final Set<String> subscribed = new HashSet<>();
            for (final JoinGroupRequestDecoder.TopicsDecoder topic : decoder.topics())
            {
                subscribed.add(topic.topic());
            }
            final Set<PartitionRef> owned = new HashSet<>();
            for (final JoinGroupRequestDecoder.OwnedDecoder partition : decoder.owned())
            {
                final int number = partition.partition();
                owned.add(new PartitionRef(partition.topic(), number));
            }
            final String group = decoder.group();
            final String memberId = decoder.memberId();
            if (refusedAsNotAuthorized(session, AclResourceType.GROUP, group, AclOperation.READ,
                (refusal) -> proxy.joinGroupResponse(correlationId, ErrorCode.NOT_AUTHORIZED, -1, memberId, refusal)))
            {
                return;
            }
            groups.join(session, correlationId, group, memberId, assignor, sessionTimeoutMs, rebalanceTimeoutMs,
                subscribed, owned, nowNs);
        });
    }

    public boolean onSyncGroup(
        final int sessionId, final long correlationId, final String group, final String memberId, final int generation)
    {
        return take(sessionId, (session) ->
        {
            if (!refusedAsNotCoordinator(session, (refusal) -> proxy.syncGroupResponse(
                correlationId, ErrorCode.NOT_COORDINATOR, -1, List.of(), refusal)) &&
                !refusedAsNotAuthorized(session, AclResourceType.GROUP, group, AclOperation.READ,
                    (refusal) -> proxy.syncGroupResponse(correlationId, ErrorCode.NOT_AUTHORIZED, -1, List.of(),
                        refusal)))
            {
                groups.sync(session, correlationId, group, memberId, generation, nowNs);
            }
        });
    }

    public boolean onGroupHeartbeat(
        final int sessionId, final long correlationId, final String group, final String memberId, final int generation)
    {
        return take(sessionId, (session) ->
        {
            if (!refusedAsNotCoordinator(session,
                (refusal) -> proxy.groupResponse(correlationId, ErrorCode.NOT_COORDINATOR, -1, refusal)) &&
                !refusedAsNotAuthorized(session, AclResourceType.GROUP, group, AclOperation.READ,
                    (refusal) -> proxy.groupResponse(correlationId, ErrorCode.NOT_AUTHORIZED, -1, refusal)))
            {
                groups.heartbeat(session, correlationId, group, memberId, generation, nowNs);
            }
        });
    }

    public boolean onLeaveGroup(
        final int sessionId, final long correlationId, final String group, final String memberId)
    {
        return take(sessionId, (session) ->
        {
            if (!refusedAsNotCoordinator(session,
                (refusal) -> proxy.groupResponse(correlationId, ErrorCode.NOT_COORDINATOR, -1, refusal)) &&
                !refusedAsNotAuthorized(session, AclResourceType.GROUP, group, AclOperation.READ,
                    (refusal) -> proxy.groupResponse(correlationId, ErrorCode.NOT_AUTHORIZED, -1, refusal)))
            {
                groups.leave(session, correlationId, group, memberId, nowNs);
            }
        });
    }

    public boolean onListGroups(final int sessionId, final long correlationId)
    {
        return take(sessionId, (session) ->
        {
            if (!refusedAsNotCoordinator(session, (refusal) -> proxy.listGroupsResponse(
                correlationId, ErrorCode.NOT_COORDINATOR, List.of(), refusal)))
            {
                final List<GroupListing> visible = new ArrayList<>();
                for (final GroupListing listing : groups.list())
                {
                    if (allows(session, AclResourceType.GROUP, listing.name(), AclOperation.DESCRIBE))
                    {
                        visible.add(listing);
                    }
                }
                send(session, proxy.listGroupsResponse(correlationId, visible));
            }
        });
    }

    public boolean onDescribeGroup(final int sessionId, final long correlationId, final String group)
    {
        return take(sessionId, (session) ->
        {
            if (refusedAsNotCoordinator(session, (refusal) -> proxy.describeGroupResponse(
                correlationId, ErrorCode.NOT_COORDINATOR, null, refusal)) ||
                refusedAsNotAuthorized(session, AclResourceType.GROUP, group, AclOperation.DESCRIBE,
                    (refusal) -> proxy.describeGroupResponse(correlationId, ErrorCode.NOT_AUTHORIZED, null, refusal)))
            {
                return;
            }
            final String invalid = GroupOffsets.validateGroup(group);
            final GroupDescription description = null == invalid ? groups.describe(group) : null;
            final ErrorCode errorCode = null != invalid ? ErrorCode.INVALID_GROUP :
                null == description ? ErrorCode.UNKNOWN_GROUP : ErrorCode.NONE;
            if (errorCode != ErrorCode.NONE)
            {
                counters.errorResponses.incrementRelease();
            }
            final String message = null != invalid ? invalid :
                null == description ? "group " + group + " has no members and no offsets" : "";
            send(session, proxy.describeGroupResponse(correlationId, errorCode, description, message));
        });
    }

    /**
     * Take an admin, offset or group request: from a connected client (others are counted and dropped), only when
     * its answer can go out (else it stays in the client's image), counted as a request. Not for produce and fetch,
     * which stay allocation-free.
     *
     * @return what the request listener returns.
     */
    private boolean take(final int sessionId, final Consumer<ClientSession> request)
    {
        final ClientSession session = connected(sessionId);
        if (null == session)
        {
            return true;
        }
        if (session.isBlocked())
        {
            return false;
        }
        counters.requests.incrementRelease();
        request.accept(session);
        return true;
    }

    /**
     * In a cluster, refuse a group or offset request on a broker that does not coordinate groups now.
     *
     * @param refusal encodes the request's answer with {@code NOT_COORDINATOR} and the given message.
     * @return whether the request was refused (and answered).
     */
    private boolean refusedAsNotCoordinator(final ClientSession session, final ToIntFunction<String> refusal)
    {
        final String message = notCoordinator();
        if (null == message)
        {
            return false;
        }
        counters.errorResponses.incrementRelease();
        send(session, refusal.applyAsInt(message));
        return true;
    }

    private static ErrorCode validateOffsetRequest(
        final String group, final Topic topic, final int topicId, final int partition)
    {
        if (null != GroupOffsets.validateGroup(group))
        {
            return ErrorCode.INVALID_GROUP;
        }
        return validatePartition(topic, partition);
    }

    private static ErrorCode validatePartition(final Topic topic, final int partition)
    {
        if (null == topic)
        {
            return ErrorCode.UNKNOWN_TOPIC;
        }
        if (partition < 0 || partition >= topic.partitions.length)
        {
            return ErrorCode.UNKNOWN_PARTITION;
        }
        return ErrorCode.NONE;
    }

    private static String offsetRequestMessage(
        final ErrorCode errorCode, final String group, final Topic topic, final int topicId, final int partition)
    {
        return switch (errorCode)
        {
            case INVALID_GROUP -> GroupOffsets.validateGroup(group);
            case UNKNOWN_TOPIC -> "no topic has id " + topicId;
            case UNKNOWN_PARTITION -> "topic " + topic.name + " has no partition " + partition;
            default -> "";
        };
    }
}
