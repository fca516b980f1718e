package io.sluice.broker;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.RegistrationException;
import io.sluice.engine.LogConfig;
import io.sluice.engine.LogManager;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.HostPort;
import io.sluice.transport.auth.CredentialsFile;
import io.sluice.transport.auth.ScramCredential;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A Sluice broker node: an Aeron media driver (embedded by default), the log manager over the data directory, and
 * the broker agent that serves clients.
 * <p>
 * Threads: {@code sluice-broker}, the agent: polls the ingress subscriptions, appends produced batches (the one
 * writer of every partition), serves fetch sessions from the mapped segments, runs the Aeron client conductor
 * (as an invoker) and checks timeouts. {@code sluice-log-maintenance}, the log manager's: pre-touches and prepares
 * segments, flushes, enforces retention. The embedded media driver's one shared thread. Nothing else.
 * <p>
 * {@link #close()} stops the agent after its current duty cycle, so every request taken has been appended and
 * answered, then closes the logs (forcing them to the device) and the driver.
 */
public final class SluiceBroker implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SluiceBroker.class);

    /**
     * Idle strategies for the broker agent and the embedded driver.
     */
    public enum IdleProfile
    {
        /** Back off to sleeping when idle: an idle broker costs almost nothing; latency in the 100s of µs. */
        BACKOFF,
        /** Yield when idle: the best latency on a machine with fewer cores than spinning threads. */
        YIELDING,
        /** Spin: only with a core for each spinning thread. */
        BUSY_SPIN;

        IdleStrategy newIdleStrategy()
        {
            return switch (this)
            {
                case BACKOFF -> new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
                case YIELDING -> new YieldingIdleStrategy();
                case BUSY_SPIN -> new BusySpinIdleStrategy();
            };
        }
    }

    /**
     * What a client does on connect before anything else.
     */
    public enum Authentication
    {
        /** Nothing: every client is trusted (loopback only, unless {@code allow.insecure.listen=true}). */
        NONE,
        /** SCRAM-SHA-256 (RFC 7677) against the credentials file: no password crosses the wire. */
        SCRAM_SHA_256;

        static Authentication parse(final String value)
        {
            return switch (value.trim().toLowerCase(java.util.Locale.ROOT))
            {
                case "none" -> NONE;
                case "scram-sha-256" -> SCRAM_SHA_256;
                default -> throw new IllegalArgumentException(
                    "authentication must be none or scram-sha-256, not '" + value + "'");
            };
        }
    }

    /**
     * Threads of the embedded media driver.
     */
    public enum DriverThreading
    {
        /** Aeron's {@code SHARED}: the driver's conductor, sender and receiver on one thread of their own. */
        SHARED,
        /**
         * Aeron's {@code INVOKER}: no thread of its own; the broker agent runs the driver's duty cycle in its own,
         * so broker and driver take one thread. For machines with fewer cores than busy threads; a slow broker duty
         * cycle then also delays the driver.
         */
        INVOKER
    }

    /**
     * Configuration: fluent setters; {@link #conclude()} validates. Settable from properties with
     * {@link #apply(Properties)}, whose keys are the {@code *_PROP} constants.
     */
    public static final class Context
    {
        /** Property: this broker's id. */
        public static final String BROKER_ID_PROP = "broker.id";
        /** Property: {@code HOST:PORT} of the ingress channel; port 0 picks a free one. */
        public static final String LISTEN_PROP = "listen";
        /** Property: the data directory. */
        public static final String DATA_DIR_PROP = "data.dir";
        /** Property: directory of an external media driver; unset launches an embedded one. */
        public static final String AERON_DIR_PROP = "aeron.dir";
        /** Property: term length of the broker's publications to clients. */
        public static final String CLIENT_TERM_LENGTH_PROP = "client.term.length";
        /** Property: a client silent for this long is disconnected. */
        public static final String CLIENT_TIMEOUT_MS_PROP = "client.timeout.ms";
        /** Property: the most client connections; more are refused with {@code TOO_MANY_CONNECTIONS}. */
        public static final String MAX_CONNECTIONS_PROP = "max.connections";
        /** Property: bytes of produce requests per second taken from one client connection; -1 for no quota. */
        public static final String PRODUCE_QUOTA_PROP = "client.produce.bytes.per.second";
        /** Property: bytes of fetched records per second sent to one client connection; -1 for no quota. */
        public static final String FETCH_QUOTA_PROP = "client.fetch.bytes.per.second";
        /** Property: {@code none} (the default) or {@code scram-sha-256}: clients authenticate on connect. */
        public static final String AUTHENTICATION_PROP = "authentication";
        /** Property: the SCRAM credentials file ({@code sluice users add}); needed with authentication. */
        public static final String CREDENTIALS_FILE_PROP = "scram.credentials.file";
        /** Property: {@code true} lets a broker without authentication listen on an address other than loopback. */
        public static final String ALLOW_INSECURE_LISTEN_PROP = "allow.insecure.listen";
        /** Property: the file of the secret a cluster's brokers share, to join the controller quorum. */
        public static final String CLUSTER_SECRET_FILE_PROP = "cluster.secret.file";
        /** Property: {@code none} (the default) or {@code acls}: what no ACL allows is denied. */
        public static final String AUTHORIZATION_PROP = "authorization";
        /** Property: users allowed everything with ACLs on, comma-separated. */
        public static final String SUPER_USERS_PROP = "super.users";
        /** Property: {@code backoff}, {@code yielding} or {@code busy-spin}. */
        public static final String IDLE_STRATEGY_PROP = "idle.strategy";
        /** Property: threads of the embedded driver: {@code shared} (one thread) or {@code invoker} (none). */
        public static final String DRIVER_THREADING_PROP = "driver.threading";
        /** Prefix of properties that set the default log configuration: {@code log.retention.ms}, ... */
        public static final String LOG_PREFIX = "log.";
        /** Property: the controller quorum, {@code ID@HOST:PORT,...}; this broker is the member {@code broker.id}. */
        public static final String CLUSTER_PROP = "cluster";
        /** Property: a follower that has not caught up for this long leaves the ISR. */
        public static final String REPLICA_LAG_TIME_MAX_MS_PROP = "replica.lag.time.max.ms";
        /** Property: how often a leader tells an idle follower its high watermark, and a follower reports. */
        public static final String REPLICA_HEARTBEAT_INTERVAL_MS_PROP = "replica.heartbeat.interval.ms";
        /** Property: how long an {@code acks=all} produce waits for the in-sync replicas. */
        public static final String REPLICA_ACK_TIMEOUT_MS_PROP = "replica.ack.timeout.ms";
        /** Property: term length of the publications to other brokers. */
        public static final String REPLICATION_TERM_LENGTH_PROP = "replication.term.length";
        /** Property: a broker whose controller session is silent this long is fenced and its partitions move. */
        public static final String CONTROLLER_SESSION_TIMEOUT_MS_PROP = "controller.session.timeout.ms";

        /** Default listen address: loopback only. */
        public static final String LISTEN_DEFAULT = "127.0.0.1:" + ClientProtocol.DEFAULT_PORT;
        /** Default data directory, relative to the working directory. */
        public static final String DATA_DIR_DEFAULT = "sluice-data";

        private int brokerId;
        private String listen = LISTEN_DEFAULT;
        private File dataDirectory = new File(DATA_DIR_DEFAULT);
        private String aeronDirectoryName;
        private int clientTermLength = 16 * 1024 * 1024;
        private long clientTimeoutNs = TimeUnit.SECONDS.toNanos(10);
        private int maxConnections = 1000;
        private long produceQuota = -1;
        private long fetchQuota = -1;
        private Authentication authentication = Authentication.NONE;
        private File credentialsFile;
        private boolean allowInsecureListen;
        private boolean acls;
        private File clusterSecretFile;
        private io.sluice.transport.controller.ClusterSecret clusterSecret;
        private java.util.Set<String> superUsers = java.util.Set.of();
        private Map<String, ScramCredential> credentials = Map.of();
        private IdleProfile idleProfile = IdleProfile.BACKOFF;
        private DriverThreading driverThreading = DriverThreading.SHARED;
        private final Map<String, String> logDefaults = new HashMap<>();
        private String cluster;
        private java.util.TreeMap<Integer, HostPort> clusterMembers;
        private java.util.function.Consumer<MediaDriver.Context> driverCustomizer;
        private long replicaLagTimeMaxNs = TimeUnit.SECONDS.toNanos(5);
        private long replicaHeartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(100);
        private long replicaAckTimeoutNs = TimeUnit.SECONDS.toNanos(10);
        private int replicationTermLength;
        private long controllerSessionTimeoutNs = TimeUnit.SECONDS.toNanos(2);
        private long controllerElectionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(500);
        private long controllerLeaderHeartbeatTimeoutNs = TimeUnit.SECONDS.toNanos(1);
        private ErrorHandler errorHandler = (ex) -> LOG.error("broker error", ex);
        private LogConfig logConfig;
        private HostPort listenAddress;

        /**
         * Apply properties, as read from a broker properties file.
         *
         * @param properties keys as the {@code *_PROP} constants and {@code log.*}.
         * @return this.
         * @throws IllegalArgumentException for an unknown key or a bad value.
         */
        public Context apply(final Properties properties)
        {
            for (final String key : properties.stringPropertyNames())
            {
                set(key, properties.getProperty(key).trim());
            }
            return this;
        }

        /**
         * Set one property.
         *
         * @param key   as the {@code *_PROP} constants or {@code log.*}.
         * @param value its value.
         * @return this.
         * @throws IllegalArgumentException for an unknown key or a bad value.
         */
        public Context set(final String key, final String value)
        {
            switch (key)
            {
                case BROKER_ID_PROP -> brokerId(parseInt(key, value));
                case LISTEN_PROP -> listen(value);
                case DATA_DIR_PROP -> dataDirectory(new File(value));
                case AERON_DIR_PROP -> aeronDirectoryName(value.isEmpty() ? null : value);
                case CLIENT_TERM_LENGTH_PROP -> clientTermLength(parseInt(key, value));
                case CLIENT_TIMEOUT_MS_PROP -> clientTimeout(parseInt(key, value), TimeUnit.MILLISECONDS);
                case MAX_CONNECTIONS_PROP -> maxConnections(parseInt(key, value));
                case PRODUCE_QUOTA_PROP -> produceQuota(parseLong(key, value));
                case FETCH_QUOTA_PROP -> fetchQuota(parseLong(key, value));
                case AUTHENTICATION_PROP -> authentication(Authentication.parse(value));
                case CREDENTIALS_FILE_PROP -> credentialsFile(value.isEmpty() ? null : new File(value));
                case ALLOW_INSECURE_LISTEN_PROP -> allowInsecureListen(parseBoolean(key, value));
                case AUTHORIZATION_PROP -> authorization(parseAuthorization(value));
                case CLUSTER_SECRET_FILE_PROP -> clusterSecretFile(value.isEmpty() ? null : new File(value));
                case SUPER_USERS_PROP -> superUsers(value.isBlank() ? java.util.Set.of() :
                    java.util.Set.of(value.trim().split("\\s*,\\s*")));
                case IDLE_STRATEGY_PROP -> idleProfile(parseIdle(value));
                case DRIVER_THREADING_PROP -> driverThreading(parseThreading(value));
                case CLUSTER_PROP -> cluster(value.isEmpty() ? null : value);
                case REPLICA_LAG_TIME_MAX_MS_PROP -> replicaLagTimeMax(parseInt(key, value), TimeUnit.MILLISECONDS);
                case REPLICA_HEARTBEAT_INTERVAL_MS_PROP ->
                    replicaHeartbeatInterval(parseInt(key, value), TimeUnit.MILLISECONDS);
                case REPLICA_ACK_TIMEOUT_MS_PROP -> replicaAckTimeout(parseInt(key, value), TimeUnit.MILLISECONDS);
                case REPLICATION_TERM_LENGTH_PROP -> replicationTermLength(parseInt(key, value));
                case CONTROLLER_SESSION_TIMEOUT_MS_PROP ->
                    controllerSessionTimeout(parseInt(key, value), TimeUnit.MILLISECONDS);
                default ->
                {
                    if (!key.startsWith(LOG_PREFIX))
                    {
                        throw new IllegalArgumentException("unknown broker property '" + key + "'");
                    }
                    logDefaults.put(key.substring(LOG_PREFIX.length()), value);
                }
            }
            return this;
        }

        /**
         * Check everything and fill in defaults.
         *
         * @return this.
         * @throws IllegalArgumentException naming the bad setting.
         */
        public Context conclude()
        {
            listenAddress = HostPort.parse(listen);
            if (clientTermLength < 64 * 1024 || clientTermLength > 1024 * 1024 * 1024 ||
                Integer.bitCount(clientTermLength) != 1)
            {
                throw new IllegalArgumentException(
                    CLIENT_TERM_LENGTH_PROP + " must be a power of 2 from 64 KiB to 1 GiB: " + clientTermLength);
            }
            if (clientTimeoutNs < TimeUnit.MILLISECONDS.toNanos(100))
            {
                throw new IllegalArgumentException(CLIENT_TIMEOUT_MS_PROP + " must be at least 100 ms");
            }
            logConfig = LogConfig.defaults().with(logDefaults);
            if (0 == replicationTermLength)
            {
                replicationTermLength = clientTermLength;
            }
            if (null != cluster)
            {
                clusterMembers = parseCluster(cluster);
                final HostPort self = clusterMembers.get(brokerId);
                if (null == self)
                {
                    throw new IllegalArgumentException(
                        CLUSTER_PROP + " '" + cluster + "' has no member " + brokerId + " (" + BROKER_ID_PROP + ")");
                }
                listenAddress = self;
                listen = self.toString();
                if (driverThreading == DriverThreading.INVOKER)
                {
                    throw new IllegalArgumentException("a cluster member needs " + DRIVER_THREADING_PROP + "=shared: " +
                        "the controller's agents run on the media driver's threads");
                }
                if (replicationTermLength < 64 * 1024 || Integer.bitCount(replicationTermLength) != 1)
                {
                    throw new IllegalArgumentException(REPLICATION_TERM_LENGTH_PROP +
                        " must be a power of 2 of 64 KiB or more: " + replicationTermLength);
                }
                if (replicaHeartbeatIntervalNs <= 0 || replicaLagTimeMaxNs <= replicaHeartbeatIntervalNs)
                {
                    throw new IllegalArgumentException(REPLICA_LAG_TIME_MAX_MS_PROP + " must be more than " +
                        REPLICA_HEARTBEAT_INTERVAL_MS_PROP + ", which must be positive");
                }
            }
            concludeAuthentication();
            final int maxBatch = maxFetchBatchLength();
            if (logConfig.maxMessageBytes() > maxBatch)
            {
                throw new IllegalArgumentException("log.max.message.bytes " + logConfig.maxMessageBytes() +
                    " is more than a client publication carries: " + maxBatch + " (raise client.term.length)");
            }
            return this;
        }

        /**
         * Load the credentials, and refuse to listen beyond loopback without authentication unless told to.
         */
        private void concludeAuthentication()
        {
            if (authentication == Authentication.SCRAM_SHA_256)
            {
                if (null == credentialsFile)
                {
                    throw new IllegalArgumentException(AUTHENTICATION_PROP + "=scram-sha-256 needs " +
                        CREDENTIALS_FILE_PROP + " (made with 'sluice users add')");
                }
                credentials = Map.copyOf(CredentialsFile.read(credentialsFile.toPath()));
                if (credentials.isEmpty())
                {
                    throw new IllegalArgumentException(CREDENTIALS_FILE_PROP + " " + credentialsFile +
                        " has no user: nobody could connect");
                }
            }
            if (null != clusterSecretFile)
            {
                clusterSecret = io.sluice.transport.controller.ClusterSecret.read(clusterSecretFile.toPath());
            }
            if (null != cluster && authentication != Authentication.NONE && null == clusterSecret)
            {
                throw new IllegalArgumentException("a cluster with " + AUTHENTICATION_PROP + "=scram-sha-256 needs " +
                    CLUSTER_SECRET_FILE_PROP + ": the brokers' own traffic must authenticate too");
            }
            if (authentication == Authentication.NONE && !allowInsecureListen &&
                !ClientProtocol.isLoopback(listenAddress.host()))
            {
                throw new IllegalArgumentException("refusing to listen on " + listenAddress + " without " +
                    "authentication: anyone who reaches it could read and write every topic. Set " +
                    AUTHENTICATION_PROP + "=scram-sha-256 and " + CREDENTIALS_FILE_PROP + ", or " +
                    ALLOW_INSECURE_LISTEN_PROP + "=true to accept that");
            }
        }

        /**
         * Parse {@code ID@HOST:PORT,...}.
         *
         * @param members the cluster property.
         * @return the members by id.
         * @throws IllegalArgumentException naming the bad entry.
         */
        public static java.util.TreeMap<Integer, HostPort> parseCluster(final String members)
        {
            final java.util.TreeMap<Integer, HostPort> parsed = new java.util.TreeMap<>();
            for (final String entry : members.split(","))
            {
                final int at = entry.indexOf('@');
                if (at <= 0)
                {
                    throw new IllegalArgumentException(
                        CLUSTER_PROP + " entries are ID@HOST:PORT, not '" + entry.trim() + "'");
                }
                final int id = parseInt(CLUSTER_PROP + " member id", entry.substring(0, at).trim());
                final HostPort address = HostPort.parse(entry.substring(at + 1).trim());
                if (id < 0 || address.port() == 0 || null != parsed.put(id, address))
                {
                    throw new IllegalArgumentException(CLUSTER_PROP + " entry '" + entry.trim() +
                        "': ids are 0 or more and unique, ports fixed (not 0)");
                }
            }
            return parsed;
        }

        /**
         * @param cluster the controller quorum as {@code ID@HOST:PORT,...}, or null for a single broker without one.
         *                Each member uses a block of {@code ControllerNode.Ports.COUNT} ports from its PORT; the
         *                member with this broker's id gives its listen address.
         * @return this.
         */
        public Context cluster(final String cluster)
        {
            this.cluster = cluster;
            return this;
        }

        /**
         * @return whether this broker is a member of a cluster.
         */
        public boolean isClustered()
        {
            return null != cluster;
        }

        java.util.TreeMap<Integer, HostPort> clusterMembers()
        {
            return clusterMembers;
        }

        String replicationEndpoint()
        {
            return listenAddress.host() + ':' +
                (listenAddress.port() + io.sluice.transport.controller.ControllerNode.Ports.REPLICATION);
        }

        /**
         * @param time a follower may go without catching up before it leaves the ISR.
         * @param unit of the time.
         * @return this.
         */
        public Context replicaLagTimeMax(final long time, final TimeUnit unit)
        {
            this.replicaLagTimeMaxNs = unit.toNanos(time);
            return this;
        }

        long replicaLagTimeMaxNs()
        {
            return replicaLagTimeMaxNs;
        }

        /**
         * @param interval between a leader's high-watermark heartbeats and a follower's progress reports.
         * @param unit     of the interval.
         * @return this.
         */
        public Context replicaHeartbeatInterval(final long interval, final TimeUnit unit)
        {
            this.replicaHeartbeatIntervalNs = unit.toNanos(interval);
            return this;
        }

        long replicaHeartbeatIntervalNs()
        {
            return replicaHeartbeatIntervalNs;
        }

        /**
         * @param timeout of an {@code acks=all} produce waiting for the in-sync replicas.
         * @param unit    of the timeout.
         * @return this.
         */
        public Context replicaAckTimeout(final long timeout, final TimeUnit unit)
        {
            this.replicaAckTimeoutNs = unit.toNanos(timeout);
            return this;
        }

        long replicaAckTimeoutNs()
        {
            return replicaAckTimeoutNs;
        }

        /**
         * @param termLength of the publications to other brokers; 0 takes {@code client.term.length}.
         * @return this.
         */
        public Context replicationTermLength(final int termLength)
        {
            this.replicationTermLength = termLength;
            return this;
        }

        int replicationTermLength()
        {
            return replicationTermLength;
        }

        /**
         * @param timeout after which a silent broker's controller session closes and the broker is fenced.
         * @param unit    of the timeout.
         * @return this.
         */
        public Context controllerSessionTimeout(final long timeout, final TimeUnit unit)
        {
            this.controllerSessionTimeoutNs = unit.toNanos(timeout);
            return this;
        }

        long controllerSessionTimeoutNs()
        {
            return controllerSessionTimeoutNs;
        }

        long controllerElectionTimeoutNs()
        {
            return controllerElectionTimeoutNs;
        }

        long controllerLeaderHeartbeatTimeoutNs()
        {
            return controllerLeaderHeartbeatTimeoutNs;
        }

        int maxFrameLength()
        {
            return Math.min(clientTermLength / 8, 16 * 1024 * 1024);
        }

        int maxFetchBatchLength()
        {
            return maxFrameLength() - BrokerAgent.FETCH_DATA_HEADER_LENGTH;
        }

        /**
         * For tests: adjust the embedded media driver's context before it launches, such as to install Aeron's
         * debug channel endpoints with a loss generator. Not a configuration property.
         *
         * @param driverCustomizer called with the context; {@code null} for none.
         * @return this.
         */
        Context driverCustomizer(final java.util.function.Consumer<MediaDriver.Context> driverCustomizer)
        {
            this.driverCustomizer = driverCustomizer;
            return this;
        }

        /**
         * @param brokerId this broker's id, 0 or more.
         * @return this.
         */
        public Context brokerId(final int brokerId)
        {
            if (brokerId < 0)
            {
                throw new IllegalArgumentException(BROKER_ID_PROP + " must be 0 or more: " + brokerId);
            }
            this.brokerId = brokerId;
            return this;
        }

        /**
         * @return this broker's id.
         */
        public int brokerId()
        {
            return brokerId;
        }

        /**
         * @param listen {@code HOST:PORT} of the ingress channel; port 0 picks a free one.
         * @return this.
         */
        public Context listen(final String listen)
        {
            HostPort.parse(listen);
            this.listen = listen;
            return this;
        }

        /**
         * @param dataDirectory where the logs live.
         * @return this.
         */
        public Context dataDirectory(final File dataDirectory)
        {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /**
         * @return where the logs live.
         */
        public File dataDirectory()
        {
            return dataDirectory;
        }

        /**
         * @param aeronDirectoryName of an external media driver, or null to launch an embedded one.
         * @return this.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /**
         * @param clientTermLength term length of the broker's publications to clients: a power of 2; a fetch
         *                         frame is at most an eighth of it, which bounds {@code max.message.bytes}.
         * @return this.
         */
        public Context clientTermLength(final int clientTermLength)
        {
            this.clientTermLength = clientTermLength;
            return this;
        }

        /**
         * @param timeout after which a silent client is disconnected.
         * @param unit    of the timeout.
         * @return this.
         */
        public Context clientTimeout(final long timeout, final TimeUnit unit)
        {
            this.clientTimeoutNs = unit.toNanos(timeout);
            return this;
        }

        /**
         * @param maxConnections the most client connections, at least 1; more are refused.
         * @return this.
         */
        public Context maxConnections(final int maxConnections)
        {
            if (maxConnections < 1)
            {
                throw new IllegalArgumentException(MAX_CONNECTIONS_PROP + " must be at least 1: " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * @param bytesPerSecond produce bytes taken from one connection per second (a second's worth may come at
         *                       once); -1 for no quota.
         * @return this.
         */
        public Context produceQuota(final long bytesPerSecond)
        {
            this.produceQuota = checkQuota(PRODUCE_QUOTA_PROP, bytesPerSecond);
            return this;
        }

        /**
         * @param bytesPerSecond fetched bytes sent to one connection per second; -1 for no quota.
         * @return this.
         */
        public Context fetchQuota(final long bytesPerSecond)
        {
            this.fetchQuota = checkQuota(FETCH_QUOTA_PROP, bytesPerSecond);
            return this;
        }

        /**
         * @param authentication what clients must do on connect.
         * @return this.
         */
        public Context authentication(final Authentication authentication)
        {
            this.authentication = java.util.Objects.requireNonNull(authentication, "authentication");
            return this;
        }

        public Authentication authentication()
        {
            return authentication;
        }

        /**
         * @param credentialsFile the SCRAM credentials, read on {@link #conclude()}.
         * @return this.
         */
        public Context credentialsFile(final File credentialsFile)
        {
            this.credentialsFile = credentialsFile;
            return this;
        }

        /**
         * @param allowInsecureListen let a broker without authentication listen beyond loopback.
         * @return this.
         */
        public Context allowInsecureListen(final boolean allowInsecureListen)
        {
            this.allowInsecureListen = allowInsecureListen;
            return this;
        }

        /**
         * @param acls whether ACLs apply ({@code authorization=acls}): what none allows is denied.
         * @return this.
         */
        public Context authorization(final boolean acls)
        {
            this.acls = acls;
            return this;
        }

        public boolean authorization()
        {
            return acls;
        }

        /**
         * @param superUsers users allowed everything when ACLs apply.
         * @return this.
         */
        public Context superUsers(final java.util.Set<String> superUsers)
        {
            for (final String user : superUsers)
            {
                if (!ScramCredential.USER_NAME.matcher(user).matches())
                {
                    throw new IllegalArgumentException(SUPER_USERS_PROP + ": not a user name: '" + user + "'");
                }
            }
            this.superUsers = java.util.Set.copyOf(superUsers);
            return this;
        }

        java.util.Set<String> superUsers()
        {
            return superUsers;
        }

        /**
         * @param clusterSecretFile the file of the secret the cluster's brokers share (first line, at least 16
         *                          characters); read on {@link #conclude()}.
         * @return this.
         */
        public Context clusterSecretFile(final File clusterSecretFile)
        {
            this.clusterSecretFile = clusterSecretFile;
            return this;
        }

        /**
         * @return the cluster's secret, read on {@link #conclude()}, or null for none.
         */
        public io.sluice.transport.controller.ClusterSecret clusterSecret()
        {
            return clusterSecret;
        }

        /**
         * @return the credentials read on {@link #conclude()}, by user name.
         */
        Map<String, ScramCredential> credentials()
        {
            return credentials;
        }

        private static long checkQuota(final String key, final long bytesPerSecond)
        {
            if (bytesPerSecond != -1 && bytesPerSecond < 1024)
            {
                throw new IllegalArgumentException(key + " must be -1 (none) or at least 1024: " + bytesPerSecond);
            }
            return bytesPerSecond;
        }

        int maxConnections()
        {
            return maxConnections;
        }

        long produceQuota()
        {
            return produceQuota;
        }

        long fetchQuota()
        {
            return fetchQuota;
        }

        /**
         * @param idleProfile of the broker agent and the embedded driver.
         * @return this.
         */
        public Context idleProfile(final IdleProfile idleProfile)
        {
            this.idleProfile = idleProfile;
            return this;
        }

        /**
         * @param driverThreading of the embedded driver; ignored with an external one.
         * @return this.
         */
        public Context driverThreading(final DriverThreading driverThreading)
        {
            this.driverThreading = driverThreading;
            return this;
        }

        /**
         * @param key   of the default log configuration, such as {@code retention.ms}.
         * @param value its value.
         * @return this.
         */
        public Context logDefault(final String key, final String value)
        {
            logDefaults.put(key, value);
            return this;
        }

        /**
         * @param errorHandler for errors on the broker's threads.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        LogConfig logConfig()
        {
            return logConfig;
        }

        long clientTimeoutNs()
        {
            return clientTimeoutNs;
        }

        int clientTermLength()
        {
            return clientTermLength;
        }

        ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        private static boolean parseAuthorization(final String value)
        {
            return switch (value.trim().toLowerCase(java.util.Locale.ROOT))
            {
                case "none" -> false;
                case "acls" -> true;
                default -> throw new IllegalArgumentException(
                    AUTHORIZATION_PROP + " must be none or acls, not '" + value + "'");
            };
        }

        private static boolean parseBoolean(final String key, final String value)
        {
            return switch (value.trim().toLowerCase(java.util.Locale.ROOT))
            {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException(key + " must be true or false, not '" + value + "'");
            };
        }

        private static int parseInt(final String key, final String value)
        {
            try
            {
                return Integer.parseInt(value);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(key + " must be an integer: '" + value + "'");
            }
        }

        private static long parseLong(final String key, final String value)
        {
            try
            {
                return Long.parseLong(value.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(key + " must be an integer: '" + value + "'");
            }
        }

        private static DriverThreading parseThreading(final String value)
        {
            return switch (value)
            {
                case "shared" -> DriverThreading.SHARED;
                case "invoker" -> DriverThreading.INVOKER;
                default -> throw new IllegalArgumentException(
                    DRIVER_THREADING_PROP + " must be shared or invoker: '" + value + "'");
            };
        }

        private static IdleProfile parseIdle(final String value)
        {
            return switch (value)
            {
                case "backoff" -> IdleProfile.BACKOFF;
                case "yielding" -> IdleProfile.YIELDING;
                case "busy-spin" -> IdleProfile.BUSY_SPIN;
                default -> throw new IllegalArgumentException(
                    IDLE_STRATEGY_PROP + " must be backoff, yielding or busy-spin: '" + value + "'");
            };
        }
    }

    private final Context ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final LogManager logManager;
    private final BrokerCounters counters;
    private final AgentRunner agentRunner;
    private final io.sluice.transport.controller.ControllerNode controllerNode;
    private final String listenEndpoint;
    private final String aeronDirectoryName;
    private boolean closed;

    private SluiceBroker(final Context ctx)
    {
        this.ctx = ctx;
        MediaDriver launchedDriver = null;
        Aeron connectedAeron = null;
        LogManager openedLogs = null;
        BrokerCounters createdCounters = null;
        io.sluice.transport.controller.ControllerNode launchedNode = null;
        try
        {
            // A cluster member keeps its partitions in logs/ and its controller state in controller/.
            openedLogs = LogManager.open(new LogManager.Context()
                .dataDirectory(ctx.isClustered() ? new File(ctx.dataDirectory, "logs") : ctx.dataDirectory)
                .partialTopics(ctx.isClustered())
                .defaultConfig(ctx.logConfig)
                .errorHandler(ctx.errorHandler));

            if (null == ctx.aeronDirectoryName)
            {
                final MediaDriver.Context driverContext = new MediaDriver.Context()
                    .aeronDirectoryName(uniqueAeronDirectory())
                    .threadingMode(ctx.driverThreading == DriverThreading.INVOKER ?
                        ThreadingMode.INVOKER : ThreadingMode.SHARED)
                    .sharedIdleStrategy(ctx.idleProfile.newIdleStrategy())
                    .termBufferSparseFile(true)
                    .publicationTermBufferLength(ctx.clientTermLength)
                    .ipcTermBufferLength(ctx.clientTermLength)
                    .errorHandler(ctx.errorHandler)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true);
                if (null != ctx.driverCustomizer)
                {
                    ctx.driverCustomizer.accept(driverContext);
                }
                launchedDriver = MediaDriver.launch(driverContext);
                aeronDirectoryName = launchedDriver.aeronDirectoryName();
            }
            else
            {
                aeronDirectoryName = ctx.aeronDirectoryName;
            }
            // In INVOKER mode the thread that waits on the driver runs it: this one until the agent starts, then the
            // agent, which invokes it every duty cycle; nothing else uses this Aeron client.
            final AgentInvoker driverInvoker = null == launchedDriver ? null : launchedDriver.sharedAgentInvoker();
            connectedAeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(aeronDirectoryName)
                .clientName("sluice-broker-" + ctx.brokerId)
                .useConductorAgentInvoker(true)
                .driverAgentInvoker(driverInvoker)
                .errorHandler(ctx.errorHandler));
            createdCounters = new BrokerCounters(connectedAeron, ctx.brokerId);
            if (ctx.isClustered())
            {
                launchedNode = io.sluice.transport.controller.ControllerNode.launch(
                    new io.sluice.transport.controller.ControllerNode.Context()
                        .nodeId(ctx.brokerId)
                        .members(ctx.clusterMembers())
                        .directory(new File(ctx.dataDirectory, "controller"))
                        .aeronDirectoryName(aeronDirectoryName)
                        .sessionTimeout(ctx.controllerSessionTimeoutNs(), TimeUnit.NANOSECONDS)
                        .leaderHeartbeatTimeout(ctx.controllerLeaderHeartbeatTimeoutNs(), TimeUnit.NANOSECONDS)
                        .leaderHeartbeatInterval(
                            ctx.controllerLeaderHeartbeatTimeoutNs() / 10, TimeUnit.NANOSECONDS)
                        .electionTimeout(ctx.controllerElectionTimeoutNs(), TimeUnit.NANOSECONDS)
                        .startupCanvassTimeout(ctx.controllerSessionTimeoutNs() * 2, TimeUnit.NANOSECONDS)
                        .checkIntervalMs(1000)
                        .secret(ctx.clusterSecret())
                        .errorHandler(ctx.errorHandler));
            }

            final BrokerAgent agent = new BrokerAgent(ctx, connectedAeron, driverInvoker, openedLogs, createdCounters);
            final HostPort listen = ctx.listenAddress;
            final Subscription udpIngress;
            try
            {
                udpIngress = connectedAeron.addSubscription(
                    ClientProtocol.udpChannel(listen.host(), listen.port(), 0), ClientProtocol.INGRESS_STREAM_ID,
                    null, agent::onImageUnavailable);
            }
            catch (final RegistrationException ex)
            {
                throw new IllegalStateException("cannot listen on " + listen + ": " + ex.getMessage(), ex);
            }
            final Subscription ipcIngress = connectedAeron.addSubscription(
                ClientProtocol.IPC_CHANNEL, ClientProtocol.INGRESS_STREAM_ID, null, agent::onImageUnavailable);
            String resolved;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (null == (resolved = udpIngress.tryResolveChannelEndpointPort()))
            {
                if (null != driverInvoker)
                {
                    driverInvoker.invoke();
                }
                connectedAeron.conductorAgentInvoker().invoke();
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("the media driver did not bind " + listen);
                }
                Thread.onSpinWait();
            }
            final String endpoint = ChannelUri.parse(resolved).get(CommonContext.ENDPOINT_PARAM_NAME);
            listenEndpoint = endpoint;
            agent.ingress(udpIngress, ipcIngress, HostPort.parse(endpoint));

            driver = launchedDriver;
            aeron = connectedAeron;
            logManager = openedLogs;
            counters = createdCounters;
            controllerNode = launchedNode;
            agentRunner = new AgentRunner(ctx.idleProfile.newIdleStrategy(), ctx.errorHandler, null, agent);
            AgentRunner.startOnThread(agentRunner);
        }
        catch (final RuntimeException | Error ex)
        {
            // An Error too (a class missing from the class path, say): the driver's directory must not be left behind.
            CloseHelper.quietCloseAll(launchedNode, createdCounters, connectedAeron, openedLogs, launchedDriver);
            throw ex;
        }
    }

    /**
     * Start a broker.
     *
     * @param ctx its configuration; concluded here.
     * @return the running broker, accepting clients.
     * @throws IllegalArgumentException for a bad configuration.
     * @throws IllegalStateException    if the address cannot be bound.
     * @throws io.sluice.engine.LogStorageException if the data directory cannot be used.
     */
    public static SluiceBroker launch(final Context ctx)
    {
        ctx.conclude();
        return new SluiceBroker(ctx);
    }

    /**
     * @return the {@code HOST:PORT} clients connect to, with the port resolved when 0 was asked for.
     */
    public String listenEndpoint()
    {
        return listenEndpoint;
    }

    /**
     * @return the media driver's directory: clients on this machine pass it to connect over IPC.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * @return the data directory.
     */
    public File dataDirectory()
    {
        return ctx.dataDirectory;
    }

    /**
     * @return the broker's id.
     */
    public int brokerId()
    {
        return ctx.brokerId;
    }

    /**
     * @return this node's role in the controller quorum ({@code LEADER} for the quorum's leader), or {@code null} for
     * a broker outside a cluster.
     */
    io.aeron.cluster.service.Cluster.Role controllerRole()
    {
        return null == controllerNode ? null : controllerNode.role();
    }

    /**
     * The log of a partition this broker holds, for tests; read it from any thread.
     */
    io.sluice.engine.PartitionLog partitionLog(final String topic, final int partition)
    {
        return logManager.log(topic, partition);
    }

    BrokerCounters counters()
    {
        return counters;
    }

    /**
     * @return replication messages dropped because their stream was not proven to be their sender's (for tests).
     */
    long unauthenticatedReplicationMessages()
    {
        return ((BrokerAgent)agentRunner.agent()).unauthenticatedReplicationMessages();
    }

    /**
     * Stop serving, then close the logs (forcing them to the device) and the media driver.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(agentRunner, controllerNode, counters, aeron, logManager, driver);
        LOG.info("broker {} stopped", ctx.brokerId);
    }

    private static String uniqueAeronDirectory()
    {
        // Next to Aeron's own default directory: shared memory on Linux, the temp directory elsewhere.
        final File parent = new File(CommonContext.AERON_DIR_PROP_DEFAULT).getParentFile();
        return new File(parent, "sluice-broker-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID()).getPath();
    }
}
