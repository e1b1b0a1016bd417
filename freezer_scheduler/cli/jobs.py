"""job-list, job-show, job-delete."""

from freezer_scheduler.cli import base

JOB_COLUMNS = ('Job ID', 'Client ID', 'Description', 'Session Name',
               'Session ID', 'Status', 'Event', 'Result')


def job_row(job):
    schedule = job.get('job_schedule') or {}
    return (job.get('job_id'), job.get('client_id'), job.get('description'),
            job.get('session_name') or '', job.get('session_id') or '',
            schedule.get('status') or '', schedule.get('event') or '',
            schedule.get('result') or '')


def add_limit_argument(parser):
    parser.add_argument('--limit', metavar='<count>', type=int,
                        help='Show at most this many (default: all).')


class JobList(base.FreezerLister):
    """List the project's jobs, optionally of one session or client."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--session-name', metavar='<name>',
                            help='Only jobs carrying this session name '
                                 '(members and pending jobs).')
        parser.add_argument('--client-id', metavar='<client-id>',
                            help='Only jobs of this client.')
        add_limit_argument(parser)
        return parser

    def take_action(self, parsed_args):
        jobs = self.client.all_jobs(most=parsed_args.limit,
                                    session_name=parsed_args.session_name,
                                    client_id=parsed_args.client_id)
        return JOB_COLUMNS, [job_row(job) for job in jobs]


class JobShow(base.FreezerShowOne):
    """Show one job."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('job_id', metavar='<job-id>')
        return parser

    def take_action(self, parsed_args):
        job = self.client.get_job(parsed_args.job_id)
        schedule = job.get('job_schedule') or {}
        fields = (
            ('Job ID', job.get('job_id')),
            ('Client ID', job.get('client_id')),
            ('Description', job.get('description')),
            ('Session Name', job.get('session_name') or ''),
            ('Session ID', job.get('session_id') or ''),
            ('Session Tag', job.get('session_tag')),
            ('Status', schedule.get('status') or ''),
            ('Event', schedule.get('event') or ''),
            ('Result', schedule.get('result') or ''),
            ('Schedule', base.JsonColumn(schedule)),
            ('Actions', base.JsonColumn(job.get('job_actions') or [])),
            ('Project ID', job.get('project_id')),
            ('User ID', job.get('user_id')),
        )
        return tuple(f[0] for f in fields), tuple(f[1] for f in fields)


class JobDelete(base.FreezerCommand):
    """Delete jobs (they also leave their session)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('job_ids', metavar='<job-id>', nargs='+')
        return parser

    def take_action(self, parsed_args):
        failed = 0
        for job_id in parsed_args.job_ids:
            try:
                self.client.delete_job(job_id)
            except base.client_module.ApiError as error:
                failed += 1
                self.note('job %s: not deleted: %s' % (job_id,
                                                       base.one_line(error)))
            else:
                self.report('job %s: deleted' % job_id)
        return base.API_FAILURE if failed else base.OK
