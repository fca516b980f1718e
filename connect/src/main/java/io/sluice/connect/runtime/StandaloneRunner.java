package io.sluice.connect.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.sluice.client.ClientOptions;
import io.sluice.client.SluiceClient;
import io.sluice.connect.ConfigDef;
import io.sluice.connect.ConfigException;
import io.sluice.connect.Connector;
import io.sluice.connect.SinkConnector;
import io.sluice.connect.SinkTask;
import io.sluice.connect.SourceConnector;
import io.sluice.connect.SourceTask;
import io.sluice.connect.Task;
import io.sluice.connect.file.FileStreamSinkConnector;
import io.sluice.connect.file.FileStreamSourceConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The standalone runtime: one process runs the connectors of the properties files it is given, with their tasks on
 * threads of its own, against one broker (or cluster), until {@link #close()}. Source offsets go to the worker's
 * compacted offsets topic ({@code offset.storage.topic}), so a restarted runner resumes where the last one stored;
 * sinks commit their consumer group's offsets once the external system has the records. A small HTTP endpoint on
 * 127.0.0.1 ({@code status.port}) answers {@code GET /connectors} with each connector's state, its tasks' states and
 * last errors, as JSON.
 * <p>
 * Not thread-safe: start and close from one thread; {@link #status()} from any.
 */
public final class StandaloneRunner implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneRunner.class);
    private static final Map<String, String> ALIASES = Map.of(
        "FileStreamSource", FileStreamSourceConnector.class.getName(),
        "FileStreamSink", FileStreamSinkConnector.class.getName(),
        "JdbcSource", io.sluice.connect.jdbc.JdbcSourceConnector.class.getName(),
        "JdbcSink", io.sluice.connect.jdbc.JdbcSinkConnector.class.getName());

    private record Running(ConnectorSettings settings, Connector connector, List<TaskRunner> tasks)
    {
    }

    private final SluiceClient client;
    private final List<Running> running = new ArrayList<>();
    private final HttpServer status;

    private StandaloneRunner(final WorkerSettings worker, final List<Map<String, String>> connectors)
    {
        // Every connector's configuration is checked before anything starts.
        final List<ConnectorSettings> settings = new ArrayList<>();
        final List<Connector> instances = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        for (final Map<String, String> properties : connectors)
        {
            final ConnectorSettings connectorSettings = ConnectorSettings.of(
                ConnectorSettings.DEFINITION.parse(properties));
            if (!names.add(connectorSettings.name()))
            {
                throw new ConfigException(ConnectorSettings.NAME, connectorSettings.name(), "names must be unique");
            }
            final Connector connector = instantiate(connectorSettings.connectorClass());
            connector.config().parse(properties);
            TransformChain.of(connectorSettings.transforms(), properties);
            if (connector instanceof SinkConnector && connectorSettings.topics().isEmpty())
            {
                throw new ConfigException(ConnectorSettings.TOPICS, null, "a sink connector needs its topics");
            }
            if (!connectorSettings.deadLetterTopic().isEmpty() &&
                (!connectorSettings.tolerateErrors() || !(connector instanceof SinkConnector)))
            {
                throw new ConfigException(ConnectorSettings.DEAD_LETTER_TOPIC, connectorSettings.deadLetterTopic(),
                    "a dead-letter topic is for a sink with errors.tolerance=all");
            }
            settings.add(connectorSettings);
            instances.add(connector);
        }

        final ClientOptions options = ClientOptions.create(worker.bootstrap()).withClientName("sluice-connect");
        client = SluiceClient.create(worker.username().isEmpty() ? options :
            options.withCredentials(worker.username(), worker.password()));
        HttpServer server = null;
        try
        {
            final OffsetStore offsets = new OffsetStore(client, worker.offsetTopic(), worker.offsetReplication());
            final TopicCreator topics = new TopicCreator(client, worker.topicPartitions(), worker.topicReplication());
            for (int i = 0; i < instances.size(); i++)
            {
                running.add(startConnector(settings.get(i), instances.get(i), connectors.get(i), offsets, topics,
                    worker.offsetFlushIntervalMs()));
            }
            if (worker.statusPort() >= 0)
            {
                server = statusServer(worker.statusPort());
            }
        }
        catch (final RuntimeException ex)
        {
            stopAll();
            client.close();
            throw ex;
        }
        status = server;
    }

    /**
     * Check every configuration, then start the connectors and their tasks.
     *
     * @param worker     the worker's properties.
     * @param connectors each connector's properties.
     * @return the running runtime.
     * @throws ConfigException naming the key at fault; nothing is left running.
     */
    public static StandaloneRunner start(final Map<String, String> worker, final List<Map<String, String>> connectors)
    {
        return new StandaloneRunner(WorkerSettings.parse(worker), connectors);
    }

    private static Connector instantiate(final String className)
    {
        final String name = ALIASES.getOrDefault(className, className);
        try
        {
            final Class<?> type = Class.forName(name);
            if (!Connector.class.isAssignableFrom(type))
            {
                throw new ConfigException(ConnectorSettings.CONNECTOR_CLASS, className, "not a Connector");
            }
            return (Connector)type.getDeclaredConstructor().newInstance();
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ConfigException(ConnectorSettings.CONNECTOR_CLASS, className,
                "cannot make one (" + ex.getClass().getSimpleName() + ": " + ex.getMessage() + ")");
        }
    }

    private Running startConnector(final ConnectorSettings settings, final Connector connector,
        final Map<String, String> properties, final OffsetStore offsets, final TopicCreator topics,
        final long flushIntervalMs)
    {
        settings.topics().forEach(topics::ensure);
        if (!settings.deadLetterTopic().isEmpty())
        {
            topics.ensure(settings.deadLetterTopic());
        }
        connector.start(properties);
        final List<Map<String, String>> taskConfigs = connector.taskConfigs(settings.tasksMax());
        final List<TaskRunner> tasks = new ArrayList<>();
        final Running started = new Running(settings, connector, tasks);
        for (int id = 0; id < taskConfigs.size() && id < settings.tasksMax(); id++)
        {
            final Task task = newTask(connector, settings);
            final TransformChain transforms = TransformChain.of(settings.transforms(), properties);
            final TaskRunner runner = task instanceof SourceTask source ?
                new SourceTaskRunner(settings.name(), id, source, taskConfigs.get(id), settings, transforms, client,
                    offsets, topics, flushIntervalMs) :
                new SinkTaskRunner(settings.name(), id, (SinkTask)task, taskConfigs.get(id), settings, transforms,
                    client);
            tasks.add(runner);
            runner.start();
        }
        LOG.info("started connector {} ({}) with {} task(s)", settings.name(), connector.getClass().getSimpleName(),
            tasks.size());
        return started;
    }

    private static Task newTask(final Connector connector, final ConnectorSettings settings)
    {
        final Class<? extends Task> type = connector.taskClass();
        final boolean matches = connector instanceof SourceConnector ? SourceTask.class.isAssignableFrom(type) :
            SinkTask.class.isAssignableFrom(type);
        if (!matches)
        {
            throw new ConfigException(ConnectorSettings.CONNECTOR_CLASS, settings.connectorClass(),
                "its task class " + type.getName() + " is not a " + (connector instanceof SourceConnector ?
                "SourceTask" : "SinkTask"));
        }
        try
        {
            return type.getDeclaredConstructor().newInstance();
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ConfigException(ConnectorSettings.CONNECTOR_CLASS, settings.connectorClass(),
                "cannot make its task " + type.getName() + ": " + ex.getMessage());
        }
    }

    /**
     * @return each connector's state and its tasks'; any thread.
     */
    public List<ConnectorStatus> status()
    {
        final List<ConnectorStatus> statuses = new ArrayList<>();
        for (final Running connector : running)
        {
            final List<TaskStatus> tasks = connector.tasks().stream().map(TaskRunner::status).toList();
            final String state = tasks.stream().anyMatch((t) -> "FAILED".equals(t.state())) ? "FAILED" :
                tasks.stream().allMatch((t) -> "STOPPED".equals(t.state())) ? "STOPPED" : "RUNNING";
            statuses.add(new ConnectorStatus(connector.settings().name(),
                connector.connector() instanceof SourceConnector ? "source" : "sink", state, tasks));
        }
        return statuses;
    }

    /**
     * @return the status endpoint's port, or -1 without one.
     */
    public int statusPort()
    {
        return null == status ? -1 : status.getAddress().getPort();
    }

    private HttpServer statusServer(final int port)
    {
        try
        {
            final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            final ObjectMapper mapper = new ObjectMapper();
            server.createContext("/connectors", (exchange) ->
            {
                final boolean get = "GET".equals(exchange.getRequestMethod());
                final byte[] body = get ? mapper.writeValueAsBytes(status()) :
                    "{\"error\":\"GET only\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(get ? 200 : 405, body.length);
                try (OutputStream out = exchange.getResponseBody())
                {
                    out.write(body);
                }
            });
            server.start();
            LOG.info("status on http://127.0.0.1:{}/connectors", server.getAddress().getPort());
            return server;
        }
        catch (final IOException ex)
        {
            throw new ConfigException(WorkerSettings.STATUS_PORT, port, "cannot listen: " + ex.getMessage());
        }
    }

    /**
     * Stop every task (sources store the offsets of what was acknowledged, sinks commit what was delivered), then
     * the connectors, the status endpoint and the client.
     */
    public void close()
    {
        if (null != status)
        {
            status.stop(0);
        }
        stopAll();
        client.close();
    }

    private void stopAll()
    {
        for (final Running connector : running)
        {
            connector.tasks().forEach(TaskRunner::stop);
            try
            {
                connector.connector().stop();
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("stopping connector {} failed", connector.settings().name(), ex);
            }
        }
        running.clear();
    }

    /** @return the keys every connector takes, for documentation. */
    public static ConfigDef connectorKeys()
    {
        return ConnectorSettings.DEFINITION;
    }
}
