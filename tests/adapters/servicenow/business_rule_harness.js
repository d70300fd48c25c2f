// Runs adapters/servicenow/business_rule.js under Node.js, against stand-ins of the Glide APIs it uses,
// fed with a snapshot of the simulated instance (a JSON "world" on stdin). Prints what the rule posted
// (endpoint, method, headers, body) as one JSON object, or {"posted": false}.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const vm = require('vm');

const world = JSON.parse(fs.readFileSync(0, 'utf8'));
const script = fs.readFileSync(process.argv[2], 'utf8');
let posted = null;

function Row(table, row) {
    this.table = table;
    this.row = row;
}
Row.prototype.getValue = function (field) {
    const v = this.row.values[field];
    return v === undefined || v === '' ? null : v;
};
Row.prototype.getDisplayValue = function (field) {
    const v = this.row.displays[field];
    return v === undefined ? '' : v;
};
Row.prototype.getUniqueValue = function () {
    return this.row.values.sys_id;
};

function GlideRecord(table) {
    this.table = table;
    this.conditions = [];
    this.order = null;
    this.rows = null;
    this.index = -1;
}
GlideRecord.prototype.addQuery = function (field, op, value) {
    if (value === undefined) {
        value = op;
        op = '=';
    }
    this.conditions.push([field, op, String(value)]);
};
GlideRecord.prototype.orderBy = function (field) {
    this.order = field;
};
GlideRecord.prototype.query = function () {
    const rows = (world.tables[this.table] || []).filter((row) =>
        this.conditions.every(([field, op, value]) => {
            const have = row.values[field] || '';
            if (op === '=') return have === value;
            if (op === 'IN') return value.split(',').includes(have);
            if (op === '>=') return have >= value;
            throw new Error('the harness does not know operator ' + op);
        })
    );
    const key = this.order;
    if (key) rows.sort((a, b) => (a.values[key] < b.values[key] ? -1 : a.values[key] > b.values[key] ? 1 : 0));
    this.rows = rows;
    this.index = -1;
};
GlideRecord.prototype.get = function (field, value) {
    this.addQuery(field, value);
    this.query();
    return this.next();
};
GlideRecord.prototype.next = function () {
    this.index += 1;
    return this.index < this.rows.length;
};
GlideRecord.prototype.hasNext = function () {
    return this.index + 1 < this.rows.length;
};
['getValue', 'getDisplayValue', 'getUniqueValue'].forEach((name) => {
    GlideRecord.prototype[name] = function (field) {
        return Row.prototype[name].call(new Row(this.table, this.rows[this.index]), field);
    };
});

function record(snapshot, changed) {
    if (!snapshot) return null;
    const found = new Row(world.table, snapshot);
    found.operation = () => world.operation;
    found.getTableName = () => world.table;
    found.isValidField = (field) => world.columns.includes(field);
    world.columns.forEach((field) => {
        found[field] = { changes: () => changed.includes(field) };
    });
    return found;
}

const sandbox = {
    current: record(world.current, world.changed),
    previous: record(world.previous, []),
    JSON,
    gs: {
        getProperty: (name, fallback) => (name in world.properties ? world.properties[name] : fallback),
        warn: (message) => process.stderr.write(message + '\n'),
        getUserName: () => world.user_name,
        generateGUID: () => 'f'.repeat(32),
    },
    GlideRecord,
    GlideStringUtil: { base64Encode: (text) => Buffer.from(text, 'utf8').toString('base64') },
    GlideCertificateEncryption: function () {
        this.generateMac = (key, algorithm, data) => {
            if (algorithm !== 'HmacSHA256') throw new Error('unexpected algorithm ' + algorithm);
            return crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(data, 'utf8').digest('base64');
        };
    },
    sn_ws: {
        RESTMessageV2: function () {
            const request = { headers: {} };
            this.setEndpoint = (url) => (request.endpoint = url);
            this.setHttpMethod = (method) => (request.method = method);
            this.setRequestHeader = (name, value) => (request.headers[name] = value);
            this.setRequestBody = (body) => (request.body = body);
            this.executeAsync = () => (posted = request);
            this.execute = () => {
                throw new Error('the rule must post asynchronously (executeAsync)');
            };
        },
    },
};
vm.runInNewContext(script, sandbox, { filename: 'business_rule.js' });
process.stdout.write(JSON.stringify(posted ? { posted: true, ...posted } : { posted: false }));
