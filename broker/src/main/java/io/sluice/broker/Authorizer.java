package io.sluice.broker;

import io.sluice.codecs.client.AclOperation;
import io.sluice.codecs.client.AclPatternType;
import io.sluice.codecs.client.AclResourceType;
import io.sluice.transport.AclEntry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The broker's ACLs ({@code authorization=acls}): who may do what to which topic, group or the cluster. Only
 * allowing ACLs: what none allows is denied, except to super users ({@code super.users}). Kept in the data
 * directory's {@value #FILE} file, one ACL a line, rewritten whole (through a temporary file and a rename) on each
 * change; read on start. In a cluster the ACLs are the controller quorum's metadata instead, the same on every broker
 * (changed through the quorum, not here). Owned by the broker agent; {@link #version()} changes with every change, so
 * that a connection's cached decisions are dropped.
 */
final class Authorizer
{
    /** The file of ACLs in the data directory. */
    static final String FILE = "acls";
    /** The principal of a client of a broker without authentication, as Kafka's {@code User:ANONYMOUS}. */
    static final String ANONYMOUS = "ANONYMOUS";

    private final boolean enabled;
    private final Set<String> superUsers;
    private final Path file;
    private final Set<AclEntry> acls = new LinkedHashSet<>();
    private final java.util.function.Supplier<io.sluice.transport.controller.ClusterMetadata> cluster;
    private long version;

    /**
     * @param enabled       whether ACLs apply; when not, everything is allowed.
     * @param superUsers    users allowed everything.
     * @param dataDirectory holding the ACL file.
     * @throws IllegalArgumentException naming the file and line of an unreadable ACL.
     */
    Authorizer(final boolean enabled, final Set<String> superUsers, final Path dataDirectory)
    {
        this.enabled = enabled;
        this.superUsers = Set.copyOf(superUsers);
        this.file = dataDirectory.resolve(FILE);
        this.cluster = null;
        if (enabled && Files.exists(file))
        {
            load();
        }
    }

    /**
     * ACLs from a cluster's metadata.
     *
     * @param enabled    whether ACLs apply.
     * @param superUsers users allowed everything.
     * @param cluster    the broker's current copy of the cluster metadata.
     */
    Authorizer(final boolean enabled, final Set<String> superUsers,
        final java.util.function.Supplier<io.sluice.transport.controller.ClusterMetadata> cluster)
    {
        this.enabled = enabled;
        this.superUsers = Set.copyOf(superUsers);
        this.file = null;
        this.cluster = cluster;
    }

    /**
     * @return whether the ACLs are the cluster's (changed through the controller quorum).
     */
    boolean isClustered()
    {
        return null != cluster;
    }

    boolean enabled()
    {
        return enabled;
    }

    long version()
    {
        return null == cluster ? version : cluster.get().aclVersion();
    }

    /**
     * @param principal the user, or {@link #ANONYMOUS}.
     * @param type      of the resource.
     * @param name      of the resource.
     * @param operation asked for.
     * @return whether it is allowed.
     */
    boolean allows(final String principal, final AclResourceType type, final String name, final AclOperation operation)
    {
        if (!enabled || superUsers.contains(principal))
        {
            return true;
        }
        for (final AclEntry acl : null == cluster ? acls : cluster.get().acls())
        {
            if (acl.allows(principal, type, name, operation))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param add true to add the ACL, false to remove it.
     * @param acl the ACL.
     * @return false if it was there already (add) or was not there (remove).
     * @throws UncheckedIOException if the file cannot be written (the change is then not made).
     */
    boolean alter(final boolean add, final AclEntry acl)
    {
        if (add ? !acls.add(acl) : !acls.remove(acl))
        {
            return false;
        }
        try
        {
            store();
        }
        catch (final UncheckedIOException ex)
        {
            if (add)
            {
                acls.remove(acl);
            }
            else
            {
                acls.add(acl);
            }
            throw ex;
        }
        version++;
        return true;
    }

    List<AclEntry> all()
    {
        return List.copyOf(null == cluster ? acls : cluster.get().acls());
    }

    private void load()
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            try
            {
                final String[] fields = line.split("\t", -1);
                if (fields.length != 5)
                {
                    throw new IllegalArgumentException("expected 5 tab-separated fields, found " + fields.length);
                }
                acls.add(new AclEntry(fields[0], AclResourceType.valueOf(fields[1]),
                    AclPatternType.valueOf(fields[2]), fields[3], AclOperation.valueOf(fields[4])));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + ex.getMessage(), ex);
            }
        }
    }

    private void store()
    {
        final List<String> lines = new ArrayList<>();
        lines.add("# principal, resource type, pattern type, resource name, operation (tab-separated): " +
            "written by the broker");
        for (final AclEntry acl : acls)
        {
            lines.add(acl.principal() + "\t" + acl.resourceType() + "\t" + acl.patternType() + "\t" +
                acl.resourceName() + "\t" + acl.operation());
        }
        io.sluice.transport.auth.AtomicFile.write(file, lines, false);
    }
}
