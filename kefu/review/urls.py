"""The human review pages (质检复核), mounted at /review/."""

from django.urls import path

from kefu.review.views import manage, queue, results

app_name = "review"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("next/", queue.queue_next_view, name="next"),
    path("items/<int:pk>/", queue.review_item, name="item"),
    path("mine/", results.mine, name="mine"),
    path("reviews/<int:pk>/", results.review_detail, name="review"),
    path("reviews/<int:pk>/appeal/", results.appeal_create_view, name="appeal_create"),
    path("appeals/<int:pk>/", results.appeal_decide_view, name="appeal"),
    path("plans/", manage.plan_list, name="plans"),
    path("plans/new/", manage.plan_edit, name="plan_create"),
    path("plans/<int:pk>/", manage.plan_edit, name="plan_edit"),
    path("plans/fill/", manage.queues_fill_view, name="fill"),
    path("scorecards/", manage.scorecard_list, name="scorecards"),
    path("scorecards/<int:shop_id>/", manage.scorecard_edit, name="scorecard_edit"),
    path("calibrations/", manage.calibration_list, name="calibrations"),
    path("calibrations/new/", manage.calibration_new, name="calibration_create"),
    path("calibrations/<int:pk>/", manage.calibration_detail, name="calibration"),
    path("precision/", manage.precision, name="precision"),
]
