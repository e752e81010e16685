#!/usr/bin/env node
import '../dist/cli/lab.js';
