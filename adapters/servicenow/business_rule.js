/*
 * ELA Connector: push incident and case changes to the connector.
 *
 * Install (see README, "ServiceNow"): System Definition > Business Rules > New, once per table served
 *   Name:      ELA Connector push
 *   Table:     Incident [incident]  (a second rule, identical, on Case [sn_customerservice_case])
 *   Advanced:  checked;  When: after;  Insert, Update, Delete: checked;  Order: 1000
 *   Condition: empty (the script itself decides whether anything worth sending changed)
 *   Script:    this file, whole
 * and two system properties (sys_properties):
 *   ela.connector.url     https://ela.example.com/webhooks/servicenow/<site name>
 *   ela.connector.secret  the site's webhook.secret (type password2 is not readable here: use string,
 *                         and restrict its read roles to admin)
 *
 * What it sends, after the change is saved, as one JSON object (payload version 1):
 *   the record's key fields as {value, display_value}, the state / priority / assignment changes with
 *   their previous and current values, and the journal entries (Additional comments, Work notes)
 *   this update added, each with its sys_journal_field sys_id and its author: sys_id, name, e-mail, the
 *   agent roles they hold (AGENT_ROLES) and whether they are in the record's assignment group.
 * The body is signed: X-ELA-Signature: sha256=<base64 HMAC-SHA256 of the body, keyed with the secret>.
 * It goes out with RESTMessageV2.executeAsync(): through the ECC queue, after the transaction, so a slow
 * or unreachable connector never slows the agent's form. A failed post is not retried by ServiceNow:
 * turn on the site's pull mode as well to catch anything a post lost (the connector stores each change
 * once, however many times it hears of it).
 *
 * Kept to ECMAScript 5: the global scope of older releases runs nothing newer.
 */
(function executeRule(current, previous /* null on insert */) {
    var URL_PROPERTY = 'ela.connector.url';
    var SECRET_PROPERTY = 'ela.connector.secret';
    // Roles that make an author an agent. Keep in step with the site's `agent_roles` (pull mode).
    var AGENT_ROLES = ['itil', 'sn_customerservice_agent', 'admin'];
    var WATCHED = ['state', 'priority', 'assigned_to', 'assignment_group'];
    var RECORD_FIELDS = [
        'sys_id', 'number', 'sys_class_name', 'short_description', 'state', 'priority', 'impact',
        'urgency', 'category', 'caller_id', 'contact', 'opened_for', 'consumer', 'assigned_to',
        'assignment_group', 'opened_at', 'resolved_at', 'closed_at', 'sys_created_on',
        'sys_updated_on', 'sys_mod_count'
    ];

    var url = gs.getProperty(URL_PROPERTY, '');
    var secret = gs.getProperty(SECRET_PROPERTY, '');
    if (!url || !secret) {
        gs.warn('ELA Connector: set the system properties ' + URL_PROPERTY + ' and ' + SECRET_PROPERTY);
        return;
    }

    function pair(record, field) {
        return {
            value: record.getValue(field) || '',
            display_value: record.getDisplayValue(field) || ''
        };
    }

    function author(userName, groupId) {
        var found = {
            sys_id: '', user_name: userName, name: '', email: '', roles: [], in_assignment_group: false
        };
        var user = new GlideRecord('sys_user');
        if (!user.get('user_name', userName)) {
            return found;
        }
        found.sys_id = user.getUniqueValue();
        found.name = user.getValue('name') || '';
        found.email = user.getValue('email') || '';
        var held = new GlideRecord('sys_user_has_role');
        held.addQuery('user', found.sys_id);
        held.query();
        var names = {};
        while (held.next()) {
            names[held.getDisplayValue('role')] = true;
        }
        for (var r = 0; r < AGENT_ROLES.length; r++) {
            if (names[AGENT_ROLES[r]]) {
                found.roles.push(AGENT_ROLES[r]);
            }
        }
        if (groupId) {
            var member = new GlideRecord('sys_user_grmember');
            member.addQuery('user', found.sys_id);
            member.addQuery('group', groupId);
            member.query();
            found.in_assignment_group = member.hasNext();
        }
        return found;
    }

    var operation = current.operation();
    var changes = [];
    if (operation == 'update') {
        for (var w = 0; w < WATCHED.length; w++) {
            var name = WATCHED[w];
            if (current.isValidField(name) && current[name].changes()) {
                changes.push({ field: name, previous: pair(previous, name), current: pair(current, name) });
            }
        }
    }

    // The entries this update added: written to sys_journal_field as the record was saved, before
    // "after" rules run. Their sys_ids are the comments' ids, the same the connector's poller reads.
    var journal = [];
    var touched = operation == 'insert' || current.comments.changes() || current.work_notes.changes();
    if (operation != 'delete' && touched) {
        var entry = new GlideRecord('sys_journal_field');
        entry.addQuery('element_id', current.getUniqueValue());
        entry.addQuery('name', current.getTableName());
        entry.addQuery('element', 'IN', 'comments,work_notes');
        entry.addQuery('sys_created_on', '>=', current.getValue('sys_updated_on'));
        entry.orderBy('sys_created_on');
        entry.query();
        while (entry.next()) {
            journal.push({
                sys_id: entry.getUniqueValue(),
                element: entry.getValue('element'),
                value: entry.getValue('value') || '',
                sys_created_on: entry.getValue('sys_created_on'),
                sys_created_by: entry.getValue('sys_created_by'),
                author: author(entry.getValue('sys_created_by'), current.getValue('assignment_group'))
            });
        }
    }
    // An update of nothing the connector follows (its own writes to its u_ columns, say): no post.
    if (operation == 'update' && changes.length === 0 && journal.length === 0) {
        return;
    }

    var record = {};
    for (var f = 0; f < RECORD_FIELDS.length; f++) {
        if (current.isValidField(RECORD_FIELDS[f])) {
            record[RECORD_FIELDS[f]] = pair(current, RECORD_FIELDS[f]);
        }
    }
    var body = JSON.stringify({
        source: 'ela-connector',
        version: 1,
        operation: operation,
        table: current.getTableName(),
        sys_id: current.getUniqueValue(),
        sys_mod_count: current.getValue('sys_mod_count') || '0',
        sys_updated_on: current.getValue('sys_updated_on') || '',
        sys_updated_by: gs.getUserName(),
        record: record,
        changes: changes,
        journal: journal
    });
    var mac = new GlideCertificateEncryption().generateMac(
        GlideStringUtil.base64Encode(secret), 'HmacSHA256', body);

    var request = new sn_ws.RESTMessageV2();
    request.setEndpoint(url);
    request.setHttpMethod('post');
    request.setRequestHeader('Content-Type', 'application/json');
    request.setRequestHeader('X-ELA-Signature', 'sha256=' + mac);
    request.setRequestHeader('X-ELA-Delivery', gs.generateGUID());
    request.setRequestBody(body);
    request.executeAsync();
})(current, previous);
