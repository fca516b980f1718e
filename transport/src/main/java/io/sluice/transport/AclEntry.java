package io.sluice.transport;

import io.sluice.codecs.client.AclOperation;
import io.sluice.codecs.client.AclPatternType;
import io.sluice.codecs.client.AclResourceType;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One ACL: a principal may do an operation on the resources a pattern names. Only allowing ACLs exist: what no ACL
 * allows is denied (Kafka's default, {@code allow.everyone.if.no.acl.found=false}).
 *
 * @param principal    a user name, or {@value #ANY_PRINCIPAL} for every user.
 * @param resourceType topic, group or cluster.
 * @param patternType  literal (the name, or {@value #ANY_NAME} for all) or prefixed.
 * @param resourceName a topic or group name or prefix, or {@value #CLUSTER_NAME} for the cluster.
 * @param operation    read, write, create, delete, describe, or alter (the cluster's ACLs).
 */
public record AclEntry(
    String principal,
    AclResourceType resourceType,
    AclPatternType patternType,
    String resourceName,
    AclOperation operation)
{
    /** The principal of every user. */
    public static final String ANY_PRINCIPAL = "*";
    /** A literal name that matches every name. */
    public static final String ANY_NAME = "*";
    /** The cluster's resource name, as Kafka's. */
    public static final String CLUSTER_NAME = "kafka-cluster";
    /** Principals: user names, {@code ANONYMOUS} for clients of a broker without authentication, or {@code *}. */
    private static final Pattern PRINCIPAL = Pattern.compile("\\*|[A-Za-z0-9._@-]{1,128}");

    /**
     * @throws IllegalArgumentException naming what is wrong.
     */
    public AclEntry
    {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(resourceName, "resourceName");
        if (!PRINCIPAL.matcher(principal).matches())
        {
            throw new IllegalArgumentException("an ACL principal is a user name (letters, digits and . _ - @) or *, " +
                "not '" + principal + "'");
        }
        if (null == resourceType || resourceType == AclResourceType.NULL_VAL || null == patternType ||
            patternType == AclPatternType.NULL_VAL || null == operation || operation == AclOperation.NULL_VAL)
        {
            throw new IllegalArgumentException("an ACL needs a resource type, a pattern type and an operation");
        }
        if (resourceName.isEmpty() || resourceName.length() > 249 || resourceName.chars().anyMatch(Character::isISOControl))
        {
            throw new IllegalArgumentException("an ACL's resource name must have 1 to 249 characters, none a " +
                "control character");
        }
        if (resourceType == AclResourceType.CLUSTER &&
            (!CLUSTER_NAME.equals(resourceName) || patternType != AclPatternType.LITERAL))
        {
            throw new IllegalArgumentException("a cluster ACL names the literal resource " + CLUSTER_NAME);
        }
        if (resourceType == AclResourceType.CLUSTER && operation != AclOperation.ALTER &&
            operation != AclOperation.DESCRIBE)
        {
            throw new IllegalArgumentException("the cluster's operations are ALTER and DESCRIBE, not " + operation);
        }
        if (resourceType != AclResourceType.CLUSTER && operation == AclOperation.ALTER)
        {
            throw new IllegalArgumentException("ALTER is the cluster's operation only");
        }
        if (resourceType == AclResourceType.GROUP && operation != AclOperation.READ &&
            operation != AclOperation.DESCRIBE && operation != AclOperation.DELETE)
        {
            throw new IllegalArgumentException("a group's operations are READ, DESCRIBE and DELETE, not " + operation);
        }
        if (patternType == AclPatternType.PREFIXED && ANY_NAME.equals(resourceName))
        {
            throw new IllegalArgumentException("a prefixed ACL's prefix is a name's start, not *: use a literal *");
        }
    }

    /**
     * @param user         the user asking, or {@code ANONYMOUS}.
     * @param type         of the resource.
     * @param name         of the resource.
     * @param requested    the operation asked for.
     * @return whether this ACL allows it: its principal is the user or {@code *}, its pattern matches the name, and
     * its operation is the one asked for, or implies it (read, write and delete imply describe, as in Kafka).
     */
    public boolean allows(final String user, final AclResourceType type, final String name, final AclOperation requested)
    {
        if (type != resourceType || !(ANY_PRINCIPAL.equals(principal) || principal.equals(user)))
        {
            return false;
        }
        if (operation != requested && !(requested == AclOperation.DESCRIBE && (operation == AclOperation.READ ||
            operation == AclOperation.WRITE || operation == AclOperation.DELETE)))
        {
            return false;
        }
        return patternType == AclPatternType.PREFIXED ? name.startsWith(resourceName) :
            ANY_NAME.equals(resourceName) || resourceName.equals(name);
    }

    public String toString()
    {
        return "principal " + principal + " may " + operation + " " + resourceType + " " +
            (patternType == AclPatternType.PREFIXED ? resourceName + "* (prefixed)" : resourceName);
    }
}
