/* SPDX-License-Identifier: MIT
 * `runnel deploy TEMPLATE`: deploys a CloudFormation/SAM template to a
 * running Runnel server through its CloudFormation API, as `aws
 * cloudformation deploy` does (a change set, created and executed), showing
 * each resource's progress, then the stack's resources and outputs. */
#ifndef RN_DEPLOY_H
#define RN_DEPLOY_H

/* Runs `runnel deploy` with the arguments after the word deploy (argv
 * borrowed). Returns the exit status: 0 deployed (or nothing to change), 1
 * failed, 2 usage error. */
int deploy_main(int argc, char **argv);

/* The text of `runnel deploy --help`. */
extern const char deploy_usage[];
#endif
