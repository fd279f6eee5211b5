module.exports = require('./run-cache').teardown;
